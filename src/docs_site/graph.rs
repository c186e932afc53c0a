//! Lineage graphs as SVG: laid out by `layout-rs` (a layered, Sugiyama-style layout, left to
//! right, so bronze → silver → gold reads left to right), drawn by a backend of our own that
//! keeps only the boxes and edge paths the layout computed and writes them as SVG with links,
//! CSS classes and `data-` attributes the site's script filters by.

use std::fmt::Write as _;

use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

/// A box of a graph.
#[derive(Debug, Clone)]
pub struct GraphNode {
    /// What `data-id` and the link carry (a relation's unique id, or `id.column`).
    pub key: String,
    /// The text in the box.
    pub label: String,
    /// CSS classes (`layer-silver kind-model`).
    pub class: String,
    /// The site route the box links to (`#/node/…`), if any.
    pub href: Option<String>,
    /// Its column, left to right (bronze 0, silver 1, gold 2): every box of a group is drawn
    /// right of every box of a smaller group, whatever the edges say.
    pub group: Option<usize>,
}

/// Why a graph could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutFailed;

#[derive(Default)]
struct Collect {
    boxes: Vec<(usize, Point, Point)>,
    edges: Vec<(usize, usize, String)>,
    /// Every point of the edges' paths (curves may leave the boxes' extent).
    points: Vec<Point>,
}

impl RenderBackend for Collect {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        if let Some(i) = properties.and_then(|p| p.parse::<usize>().ok()) {
            self.boxes.push((i, xy, size));
        }
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        _head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        let Some((a, b)) = properties.as_deref().and_then(|p| p.split_once(',')) else {
            return;
        };
        let (Ok(a), Ok(b)) = (a.parse(), b.parse()) else {
            return;
        };
        if path.len() < 2 {
            return;
        }
        for p in path {
            self.points.push(p.0);
            self.points.push(p.1);
        }
        // The path as layout-rs gives it: an exit vector, then entry vectors (M … C … S …).
        let mut d = format!(
            "M{} {} C{} {},{} {},{} {}",
            r(path[0].0.x),
            r(path[0].0.y),
            r(path[0].1.x),
            r(path[0].1.y),
            r(path[1].0.x),
            r(path[1].0.y),
            r(path[1].1.x),
            r(path[1].1.y)
        );
        for p in &path[2..] {
            let _ = write!(d, " S{} {},{} {}", r(p.0.x), r(p.0.y), r(p.1.x), r(p.1.y));
        }
        self.edges.push((a, b, d));
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

fn r(v: f64) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v == v.trunc() {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Lay out `nodes` with `edges` (`from` → `to`: `to` reads `from`) left to right and draw them.
/// `focus` is drawn highlighted.
pub fn draw(
    nodes: &[GraphNode],
    edges: &[(usize, usize)],
    focus: Option<usize>,
) -> Result<String, LayoutFailed> {
    if nodes.is_empty() {
        return Err(LayoutFailed);
    }
    // layout-rs asserts on shapes it cannot place; a graph it refuses is reported, not a crash.
    let laid = std::panic::catch_unwind(|| layout(nodes, edges)).map_err(|_| LayoutFailed)?;
    Ok(svg(nodes, &laid, focus))
}

/// An order of the boxes with few crossings, for layout-rs to keep: each box's column is its
/// longest path from a box without inputs (a later layer group never left of an earlier one),
/// and within a column the boxes are sorted a few times by the mean place of their neighbours
/// in the column before, then after (the barycenter heuristic, linear in the edges).
fn barycenter_order(nodes: &[GraphNode], edges: &[(usize, usize)]) -> Vec<usize> {
    let n = nodes.len();
    let mut ups: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut downs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b && a < n && b < n {
            ups[b].push(a);
            downs[a].push(b);
        }
    }
    // Columns: longest path, by relaxing in rounds (graphs are small and acyclic; a cycle
    // stops after n rounds).
    let mut level = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for b in 0..n {
            let want = ups[b].iter().map(|&a| level[a] + 1).max().unwrap_or(0);
            if want > level[b] {
                level[b] = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut group_floor = std::collections::BTreeMap::new();
    for (i, nd) in nodes.iter().enumerate() {
        if let Some(g) = nd.group {
            let e = group_floor.entry(g).or_insert(0);
            *e = (*e).max(level[i]);
        }
    }
    // A box of a later group starts right of every box of the earlier groups.
    let mut floor = 0;
    let mut start = std::collections::BTreeMap::new();
    for (g, top) in &group_floor {
        start.insert(*g, floor);
        floor = floor.max(*top + 1);
    }
    for (i, nd) in nodes.iter().enumerate() {
        if let Some(g) = nd.group {
            level[i] = level[i].max(start[&g]);
        }
    }
    let columns = level.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (i, &l) in level.iter().enumerate() {
        rows[l].push(i);
    }
    let mut place = vec![0.0f64; n];
    let set_places = |rows: &Vec<Vec<usize>>, place: &mut Vec<f64>| {
        for row in rows {
            for (p, &i) in row.iter().enumerate() {
                place[i] = p as f64;
            }
        }
    };
    set_places(&rows, &mut place);
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..columns).collect()
        } else {
            (0..columns.saturating_sub(1)).rev().collect()
        };
        for c in order {
            let mut keyed: Vec<(f64, usize)> = rows[c]
                .iter()
                .map(|&i| {
                    let adj = if down { &ups[i] } else { &downs[i] };
                    let key = if adj.is_empty() {
                        place[i]
                    } else {
                        adj.iter().map(|&j| place[j]).sum::<f64>() / adj.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            rows[c] = keyed.into_iter().map(|(_, i)| i).collect();
            for (p, &i) in rows[c].iter().enumerate() {
                place[i] = p as f64;
            }
        }
    }
    rows.into_iter().flatten().collect()
}

fn layout(nodes: &[GraphNode], edges: &[(usize, usize)]) -> Collect {
    let mut vg = VisualGraph::new(Orientation::LeftToRight);
    // layout-rs checks the whole graph for cycles after every edge it adds and before each
    // pass (O(edges² · nodes)): most of the time of a graph of 100 boxes. Lineage has no
    // cycles (karte refuses them, E301), and layout-rs still turns any back edge around.
    vg.dag.set_validate(false);
    // The boxes go in in an order with few crossings (layout-rs keeps the order it is given
    // when its own crossing reduction does not run).
    let mut handles = vec![None; nodes.len()];
    for i in barycenter_order(nodes, edges) {
        let n = &nodes[i];
        let shape = ShapeKind::new_box(&n.label);
        let look = StyleAttr::simple();
        let size = Point::new(label_width(&n.label), 28.0);
        handles[i] = Some(vg.add_node(Element::create_with_properties(
            shape,
            look,
            Orientation::LeftToRight,
            size,
            i.to_string(),
        )));
    }
    let handles: Vec<_> = handles
        .into_iter()
        .map(|h| h.expect("every box is placed"))
        .collect();
    // Layers left to right: between two consecutive groups, an undrawn box (no properties, so
    // the backend skips it) that every box of the lower group points to and that points to
    // every box of the higher one, by invisible edges.
    let groups: std::collections::BTreeSet<usize> = nodes.iter().filter_map(|n| n.group).collect();
    let groups: Vec<usize> = groups.into_iter().collect();
    for w in groups.windows(2) {
        let gate = vg.add_node(Element::create(
            ShapeKind::new_box(""),
            StyleAttr::simple(),
            Orientation::LeftToRight,
            Point::new(1.0, 1.0),
        ));
        for (i, n) in nodes.iter().enumerate() {
            if n.group == Some(w[0]) {
                vg.add_edge(Arrow::invisible(), handles[i], gate);
            } else if n.group == Some(w[1]) {
                vg.add_edge(Arrow::invisible(), gate, handles[i]);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for &(a, b) in edges {
        if a != b && a < nodes.len() && b < nodes.len() && seen.insert((a, b)) {
            vg.add_edge(
                Arrow::simple_with_properties("", format!("{a},{b}")),
                handles[a],
                handles[b],
            );
        }
    }
    let mut c = Collect::default();
    // layout-rs's crossing reduction (50 rounds, each counting the crossings of every pair of
    // boxes of a column against the next column) grows with the cube of a column's height: it
    // took four fifths of the site's time. Bigger graphs keep the barycenter order above.
    let optimise = nodes.len() <= OPTIMISE_MAX;
    vg.do_it(false, !optimise, false, &mut c);
    c
}

/// Graphs of at most this many boxes get layout-rs's crossing reduction.
pub const OPTIMISE_MAX: usize = 12;

/// Width of a label in the SVG's 12px font: wide (CJK) characters count double.
fn label_width(s: &str) -> f64 {
    unicode_width::UnicodeWidthStr::width(s) as f64 * 7.2 + 16.0
}

fn svg(nodes: &[GraphNode], c: &Collect, focus: Option<usize>) -> String {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (_, xy, size) in &c.boxes {
        x0 = x0.min(xy.x);
        y0 = y0.min(xy.y);
        x1 = x1.max(xy.x + size.x);
        y1 = y1.max(xy.y + size.y);
    }
    for p in &c.points {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    if x0 > x1 {
        (x0, y0, x1, y1) = (0.0, 0.0, 1.0, 1.0);
    }
    let pad = 12.0;
    let (w, h) = (x1 - x0 + 2.0 * pad, y1 - y0 + 2.0 * pad);
    let mut out = String::with_capacity(256 + 300 * nodes.len());
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="karte-graph" viewBox="{} {} {} {}" width="{}" height="{}" role="img">"#,
        r(x0 - pad),
        r(y0 - pad),
        r(w),
        r(h),
        r(w),
        r(h)
    );
    out.push_str(r#"<defs><marker id="karte-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>"#);
    out.push_str(r#"<g class="edges">"#);
    for (a, b, d) in &c.edges {
        let _ = write!(
            out,
            r#"<path class="edge" data-from="{}" data-to="{}" d="{}" marker-end="url(#karte-arrow)"/>"#,
            escape(&nodes[*a].key),
            escape(&nodes[*b].key),
            d
        );
    }
    out.push_str(r#"</g><g class="nodes">"#);
    let mut boxes = c.boxes.clone();
    boxes.sort_by_key(|b| b.0);
    boxes.dedup_by_key(|b| b.0);
    for (i, xy, size) in boxes {
        let n = &nodes[i];
        let class = if focus == Some(i) {
            format!("node focus {}", n.class)
        } else {
            format!("node {}", n.class)
        };
        let open = match &n.href {
            Some(h) => format!(r#"<a href="{}">"#, escape(h)),
            None => "<a>".to_string(),
        };
        let _ = write!(
            out,
            r#"<g class="{}" data-id="{}">{open}<rect x="{}" y="{}" width="{}" height="{}" rx="5"/><text x="{}" y="{}">{}</text></a></g>"#,
            escape(&class),
            escape(&n.key),
            r(xy.x),
            r(xy.y),
            r(size.x),
            r(size.y),
            r(xy.x + size.x / 2.0),
            r(xy.y + size.y / 2.0),
            escape(&n.label)
        );
    }
    out.push_str("</g></svg>");
    out
}

/// Text for XML/HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str) -> GraphNode {
        GraphNode {
            key: key.into(),
            label: key.into(),
            class: "layer-silver".into(),
            href: Some(format!("#/node/{key}")),
            group: None,
        }
    }

    /// The x of the box of node `key` in `svg`.
    fn x_of(svg: &str, key: &str) -> f64 {
        let at = svg.find(&format!(r#"data-id="{key}""#)).unwrap();
        let rest = &svg[at..];
        let x = rest.find(r#"<rect x=""#).unwrap() + 9;
        rest[x..x + rest[x..].find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn a_chain_is_laid_out_left_to_right() {
        let nodes = vec![node("bronze.a"), node("silver.b"), node("gold.c")];
        let svg = draw(&nodes, &[(0, 1), (1, 2)], Some(1)).unwrap();
        let x_of = |key: &str| x_of(&svg, key);
        assert!(x_of("bronze.a") < x_of("silver.b"));
        assert!(x_of("silver.b") < x_of("gold.c"));
        assert_eq!(svg.matches(r#"class="edge""#).count(), 2);
        assert!(svg.contains(r#"class="node focus layer-silver" data-id="silver.b""#));
    }

    #[test]
    fn labels_and_links_are_escaped() {
        let mut n = node("x");
        n.label = "<b>&\"".into();
        n.href = Some("#/node/a\"b".into());
        let svg = draw(&[n], &[], None).unwrap();
        assert!(svg.contains("&lt;b&gt;&amp;&quot;"));
        assert!(svg.contains(r##"href="#/node/a&quot;b""##));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn a_graph_too_big_for_crossing_reduction_is_still_drawn_left_to_right() {
        // A fan of sources into models into one mart: more boxes than OPTIMISE_MAX.
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for i in 0..30 {
            let mut s = node(&format!("bronze.s{i}"));
            s.group = Some(0);
            nodes.push(s);
            let mut m = node(&format!("silver.m{i}"));
            m.group = Some(1);
            nodes.push(m);
            edges.push((2 * i, 2 * i + 1));
        }
        let mut mart = node("gold.mart");
        mart.group = Some(2);
        nodes.push(mart);
        for i in 0..30 {
            edges.push((2 * i + 1, 60));
        }
        assert!(nodes.len() > OPTIMISE_MAX);
        let svg = draw(&nodes, &edges, Some(60)).unwrap();
        assert_eq!(svg.matches("<rect").count(), 61);
        assert_eq!(svg.matches(r#"class="edge""#).count(), 60);
        let x_of = |key: &str| x_of(&svg, key);
        for i in 0..30 {
            assert!(x_of(&format!("bronze.s{i}")) < x_of(&format!("silver.m{i}")));
            assert!(x_of(&format!("silver.m{i}")) < x_of("gold.mart"));
        }
    }

    #[test]
    fn layers_go_left_to_right_even_without_edges() {
        let mut nodes = vec![node("gold.c"), node("bronze.a"), node("silver.b")];
        nodes[0].group = Some(2);
        nodes[1].group = Some(0);
        nodes[2].group = Some(1);
        let svg = draw(&nodes, &[], None).unwrap();
        let x_of = |key: &str| x_of(&svg, key);
        assert!(x_of("bronze.a") < x_of("silver.b"));
        assert!(x_of("silver.b") < x_of("gold.c"));
        // Only the three boxes are drawn, no edge.
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("<path class=").count(), 0);
    }
}
