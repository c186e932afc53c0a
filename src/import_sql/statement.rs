//! What each statement of a script is: its kind, the table it creates or writes, its
//! properties and where its query is — read from the tokens, so Hive DDL that sqlparser does
//! not parse (`ROW FORMAT SERDE`, `TBLPROPERTIES`, `array<struct<…>>`) is read all the same.

use std::ops::Range;

use sqlparser::tokenizer::Token;

use super::messages::Detail;
use super::split::{Statement, Tok};
use super::{ImportError, NotConverted};

/// A table name as written: `schema.table` (a catalog is dropped), lower-cased as Athena does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The schema (Glue database), if written.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
}

impl Name {
    /// `schema.table` or `table`.
    pub fn display(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.table),
            None => self.table.clone(),
        }
    }
}

/// A property value of `WITH (…)` or `TBLPROPERTIES (…)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `'text'`.
    Str(String),
    /// `16`.
    Num(String),
    /// `true`, `false`, or another bare word.
    Word(String),
    /// `ARRAY['a', 'b']`.
    Array(Vec<String>),
}

impl Value {
    /// The value as text (an array joined by commas).
    pub fn text(&self) -> String {
        match self {
            Value::Str(s) | Value::Num(s) | Value::Word(s) => s.clone(),
            Value::Array(v) => v.join(", "),
        }
    }
}

/// One property with where it is.
#[derive(Debug, Clone)]
pub struct Prop {
    /// Lower-cased key.
    pub key: String,
    /// Its value.
    pub value: Value,
    /// Byte range of `key = value`.
    pub span: Range<usize>,
}

/// A column of a DDL statement.
#[derive(Debug, Clone)]
pub struct Column {
    /// Lower-cased name.
    pub name: String,
    /// The type as written.
    pub data_type: String,
    /// `COMMENT '…'`.
    pub comment: Option<String>,
}

/// What `CREATE EXTERNAL TABLE` (or a `CREATE TABLE (…)` without a query) says.
#[derive(Debug, Clone, Default)]
pub struct TableDdl {
    /// Columns (partition columns apart).
    pub columns: Vec<Column>,
    /// `PARTITIONED BY (…)`: columns (Hive) or transforms (Iceberg), as written.
    pub partitioned_by: Vec<Column>,
    /// `COMMENT '…'` of the table.
    pub comment: Option<String>,
    /// `STORED AS x`, or what the SerDe says (`csv`, `json`, `text`).
    pub format: Option<String>,
    /// `FIELDS TERMINATED BY '…'`.
    pub delimiter: Option<String>,
    /// `LOCATION '…'`.
    pub location: Option<String>,
    /// `TBLPROPERTIES (…)`.
    pub properties: Vec<Prop>,
    /// `WITH SERDEPROPERTIES (…)` (keys lower-cased).
    pub serde_properties: Vec<Prop>,
}

/// The kinds of statement karte knows.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `CREATE TABLE t [WITH (…)] AS query`.
    Ctas {
        /// The table.
        name: Name,
        /// `WITH (…)`.
        props: Vec<Prop>,
        /// Byte range of the query.
        query: Range<usize>,
    },
    /// `CREATE [OR REPLACE] VIEW v AS query`.
    View {
        /// The view.
        name: Name,
        /// Byte range of the query.
        query: Range<usize>,
    },
    /// `INSERT INTO t [(cols)] query`.
    Insert {
        /// The table.
        name: Name,
        /// The column list, if written.
        columns: Vec<String>,
        /// Byte range of the query.
        query: Range<usize>,
    },
    /// `CREATE EXTERNAL TABLE`.
    External {
        /// The table.
        name: Name,
        /// What it says.
        ddl: TableDdl,
    },
    /// `CREATE TABLE t (cols) …` without a query: an empty table (filled by INSERTs).
    CreateEmpty {
        /// The table.
        name: Name,
        /// What it says.
        ddl: TableDdl,
    },
    /// `DROP TABLE|VIEW [IF EXISTS] t`.
    Drop {
        /// The table.
        name: Name,
    },
    /// `CREATE DATABASE|SCHEMA`: karte creates schemas itself.
    CreateSchema,
    /// Anything else: not converted, for this reason.
    Other(NotConverted),
}

/// Reads the kind of one statement.
pub fn classify(s: &Statement, text: &str) -> Result<Kind, ImportError> {
    let mut c = Cursor {
        toks: &s.tokens,
        i: 0,
        script: s.script,
        end: s.range.end,
        text,
    };
    if has_template(&s.tokens) {
        return Ok(Kind::Other(NotConverted::Template));
    }
    let first = c.word().unwrap_or_default();
    match first.as_str() {
        "CREATE" => create(&mut c, text),
        "INSERT" => {
            if c.eat("OVERWRITE") {
                return Ok(Kind::Other(NotConverted::InsertOverwrite));
            }
            c.expect("INTO")?;
            let name = c.name()?;
            let mut columns = Vec::new();
            if c.peek_is(&Token::LParen) && !c.paren_holds_query() {
                c.i += 1;
                loop {
                    columns.push(c.ident()?);
                    if !c.eat_token(&Token::Comma) {
                        break;
                    }
                }
                c.expect_token(&Token::RParen)?;
            }
            if c.peek_word().as_deref() == Some("VALUES") {
                return Ok(Kind::Other(NotConverted::InsertValues));
            }
            let query = c.rest(text)?;
            Ok(Kind::Insert {
                name,
                columns,
                query,
            })
        }
        "DROP" => {
            let what = c.word().unwrap_or_default();
            if what != "TABLE" && what != "VIEW" {
                return Ok(Kind::Other(NotConverted::Other(format!("DROP {what}"))));
            }
            if c.eat("IF") {
                c.expect("EXISTS")?;
            }
            Ok(Kind::Drop { name: c.name()? })
        }
        "MSCK" => Ok(Kind::Other(NotConverted::MsckRepair)),
        "ALTER" => {
            let is_partition = s.tokens.iter().any(|t| is_word(&t.token, "PARTITION"));
            Ok(Kind::Other(if is_partition {
                NotConverted::AlterPartition
            } else {
                NotConverted::Alter
            }))
        }
        "UNLOAD" => Ok(Kind::Other(NotConverted::Unload)),
        "SELECT" | "WITH" | "VALUES" => Ok(Kind::Other(NotConverted::StandaloneQuery)),
        "DELETE" | "UPDATE" | "MERGE" => Ok(Kind::Other(NotConverted::RowChange(first))),
        "OPTIMIZE" | "VACUUM" => Ok(Kind::Other(NotConverted::Maintenance(first))),
        "" => Err(c.error_here(Detail::NotAStatement)),
        _ => Ok(Kind::Other(NotConverted::Other(first))),
    }
}

fn create(c: &mut Cursor, text: &str) -> Result<Kind, ImportError> {
    let or_replace = c.eat("OR");
    if or_replace {
        c.expect("REPLACE")?;
    }
    let what = c.word().unwrap_or_default();
    match what.as_str() {
        "VIEW" => {
            let name = c.name()?;
            if c.peek_is(&Token::LParen) {
                return Ok(Kind::Other(NotConverted::ViewColumnList));
            }
            c.expect("AS")?;
            Ok(Kind::View {
                name,
                query: c.rest(text)?,
            })
        }
        "DATABASE" | "SCHEMA" => Ok(Kind::CreateSchema),
        "EXTERNAL" => {
            c.expect("TABLE")?;
            if c.eat("IF") {
                c.expect("NOT")?;
                c.expect("EXISTS")?;
            }
            let name = c.name()?;
            let ddl = table_ddl(c)?;
            Ok(Kind::External { name, ddl })
        }
        "TABLE" => {
            if c.eat("IF") {
                c.expect("NOT")?;
                c.expect("EXISTS")?;
            }
            let name = c.name()?;
            if c.peek_is(&Token::LParen) && !c.paren_holds_query() {
                let ddl = table_ddl(c)?;
                return Ok(Kind::CreateEmpty { name, ddl });
            }
            let mut props = Vec::new();
            if c.eat("WITH") {
                props = c.props()?;
            }
            c.expect("AS")?;
            // `WITH NO DATA` at the end: an empty table.
            let n = c.toks.len();
            if n >= 3
                && is_word(&c.toks[n - 3].token, "WITH")
                && is_word(&c.toks[n - 2].token, "NO")
                && is_word(&c.toks[n - 1].token, "DATA")
            {
                return Ok(Kind::Other(NotConverted::NoData));
            }
            let mut query = c.rest(text)?;
            if n >= 2
                && is_word(&c.toks[n - 2].token, "WITH")
                && is_word(&c.toks[n - 1].token, "DATA")
            {
                query.end = c.toks[n - 2].span.start;
                while query.end > query.start
                    && text.as_bytes()[query.end - 1].is_ascii_whitespace()
                {
                    query.end -= 1;
                }
            }
            Ok(Kind::Ctas { name, props, query })
        }
        _ => Ok(Kind::Other(NotConverted::Other(format!("CREATE {what}")))),
    }
}

/// The clauses of a table DDL after its name, in any order; unknown ones are skipped.
fn table_ddl(c: &mut Cursor) -> Result<TableDdl, ImportError> {
    let mut ddl = TableDdl::default();
    if c.peek_is(&Token::LParen) {
        c.i += 1;
        ddl.columns = c.column_defs()?;
    }
    let mut serde = None;
    while c.i < c.toks.len() {
        let w = c.peek_word();
        match w.as_deref() {
            Some("COMMENT") => {
                c.i += 1;
                ddl.comment = Some(c.string()?);
            }
            Some("PARTITIONED") => {
                c.i += 1;
                c.expect("BY")?;
                c.expect_token(&Token::LParen)?;
                ddl.partitioned_by = c.column_defs()?;
            }
            Some("STORED") => {
                c.i += 1;
                c.expect("AS")?;
                if c.peek_word().as_deref() == Some("INPUTFORMAT") {
                    c.i += 1;
                    let input = c.string()?;
                    ddl.format = ddl.format.or(Some(format_of_class(&input)));
                } else {
                    ddl.format = Some(c.word().unwrap_or_default().to_lowercase());
                }
            }
            Some("SERDE") => {
                c.i += 1;
                serde = Some(c.string()?);
            }
            Some("TERMINATED") if c.prev_word().as_deref() == Some("FIELDS") => {
                c.i += 1;
                c.expect("BY")?;
                ddl.delimiter = Some(c.string()?);
            }
            Some("LOCATION") => {
                c.i += 1;
                ddl.location = Some(c.string()?);
            }
            Some("TBLPROPERTIES") => {
                c.i += 1;
                ddl.properties = c.props()?;
            }
            Some("SERDEPROPERTIES") => {
                c.i += 1;
                ddl.serde_properties = c.props()?;
            }
            _ if c.peek_is(&Token::LParen) => c.skip_parens(),
            _ => c.i += 1,
        }
    }
    if let Some(serde) = serde {
        let lower = serde.to_lowercase();
        let from_serde = if lower.contains("csv") {
            Some("csv")
        } else if lower.contains("json") {
            Some("json")
        } else if lower.contains("lazysimple") {
            Some("textfile")
        } else if lower.contains("parquet") {
            Some("parquet")
        } else if lower.contains("orc") {
            Some("orc")
        } else {
            None
        };
        if let Some(f) = from_serde {
            if ddl.format.as_deref().is_none_or(|f| f == "textfile") {
                ddl.format = Some(f.to_string());
            }
        }
    }
    Ok(ddl)
}

fn format_of_class(class: &str) -> String {
    let lower = class.to_lowercase();
    ["parquet", "orc", "avro", "json"]
        .into_iter()
        .find(|f| lower.contains(f))
        .unwrap_or("textfile")
        .to_string()
}

/// `{{ … }}`, `{% … %}`, `${…}`: a template or scheduler variable, not SQL.
fn has_template(toks: &[Tok]) -> bool {
    toks.iter().any(|t| match &t.token {
        Token::LBrace | Token::RBrace => true,
        Token::Placeholder(p) => p.starts_with('$'),
        _ => false,
    })
}

fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

struct Cursor<'a> {
    toks: &'a [Tok],
    i: usize,
    script: usize,
    end: usize,
    text: &'a str,
}

impl Cursor<'_> {
    fn error_here(&self, detail: Detail) -> ImportError {
        ImportError::Syntax {
            script: self.script,
            at: self
                .toks
                .get(self.i)
                .map(|t| t.span.start)
                .unwrap_or(self.end),
            detail,
        }
    }

    fn peek_word(&self) -> Option<String> {
        match self.toks.get(self.i).map(|t| &t.token) {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
            _ => None,
        }
    }

    fn prev_word(&self) -> Option<String> {
        match self
            .i
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map(|t| &t.token)
        {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
            _ => None,
        }
    }

    /// The next unquoted word, upper-cased (consumed), or None (not consumed).
    fn word(&mut self) -> Option<String> {
        let w = self.peek_word()?;
        self.i += 1;
        Some(w)
    }

    fn eat(&mut self, w: &str) -> bool {
        if self.peek_word().as_deref() == Some(w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, w: &str) -> Result<(), ImportError> {
        if self.eat(w) {
            Ok(())
        } else {
            Err(self.error_here(Detail::Expected(w.to_string())))
        }
    }

    fn peek_is(&self, t: &Token) -> bool {
        self.toks.get(self.i).is_some_and(|x| &x.token == t)
    }

    fn eat_token(&mut self, t: &Token) -> bool {
        if self.peek_is(t) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect_token(&mut self, t: &Token) -> Result<(), ImportError> {
        if self.eat_token(t) {
            Ok(())
        } else {
            Err(self.error_here(Detail::Expected(t.to_string())))
        }
    }

    /// At `(`: whether a query follows it (`(SELECT …` / `(WITH …`).
    fn paren_holds_query(&self) -> bool {
        self.toks
            .get(self.i + 1)
            .is_some_and(|t| is_word(&t.token, "SELECT") || is_word(&t.token, "WITH"))
    }

    fn skip_parens(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.toks.get(self.i) {
            self.i += 1;
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// One identifier (quoted or not), lower-cased.
    fn ident(&mut self) -> Result<String, ImportError> {
        match self.toks.get(self.i).map(|t| &t.token) {
            Some(Token::Word(w)) => {
                self.i += 1;
                Ok(w.value.to_lowercase())
            }
            _ => Err(self.error_here(Detail::ExpectedName)),
        }
    }

    /// A dotted table name; a catalog (three parts) is dropped.
    fn name(&mut self) -> Result<Name, ImportError> {
        let mut parts = vec![self.ident()?];
        while self.peek_is(&Token::Period) {
            self.i += 1;
            parts.push(self.ident()?);
        }
        let table = parts.pop().unwrap_or_default();
        Ok(Name {
            schema: parts.pop(),
            table,
        })
    }

    fn string(&mut self) -> Result<String, ImportError> {
        match self.toks.get(self.i).map(|t| &t.token) {
            Some(Token::SingleQuotedString(s)) | Some(Token::DoubleQuotedString(s)) => {
                self.i += 1;
                Ok(s.clone())
            }
            _ => Err(self.error_here(Detail::ExpectedString)),
        }
    }

    /// `( key = value, … )`; keys may be quoted (`'skip.header.line.count' = '1'`).
    fn props(&mut self) -> Result<Vec<Prop>, ImportError> {
        self.expect_token(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            let start = self
                .toks
                .get(self.i)
                .map(|t| t.span.start)
                .unwrap_or(self.end);
            let key = match self.toks.get(self.i).map(|t| &t.token) {
                Some(Token::Word(w)) => w.value.to_lowercase(),
                Some(Token::SingleQuotedString(s)) => s.to_lowercase(),
                _ => return Err(self.error_here(Detail::ExpectedProperty)),
            };
            self.i += 1;
            self.expect_token(&Token::Eq)?;
            let value = match self.toks.get(self.i).map(|t| &t.token) {
                Some(Token::SingleQuotedString(s)) => Value::Str(s.clone()),
                Some(Token::Number(n, _)) => Value::Num(n.clone()),
                Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("ARRAY") => {
                    self.i += 1;
                    self.expect_token(&Token::LBracket)?;
                    let mut items = Vec::new();
                    while !self.peek_is(&Token::RBracket) {
                        items.push(self.string()?);
                        if !self.eat_token(&Token::Comma) {
                            break;
                        }
                    }
                    if !self.peek_is(&Token::RBracket) {
                        return Err(self.error_here(Detail::Expected("]".into())));
                    }
                    Value::Array(items)
                }
                Some(Token::Word(w)) if w.quote_style.is_none() => Value::Word(w.value.clone()),
                _ => return Err(self.error_here(Detail::ExpectedValue(key))),
            };
            let end = self.toks[self.i].span.end;
            self.i += 1;
            out.push(Prop {
                key,
                value,
                span: start..end,
            });
            if self.eat_token(&Token::Comma) {
                continue;
            }
            self.expect_token(&Token::RParen)?;
            return Ok(out);
        }
    }

    /// Column definitions up to the closing `)` (consumed): `name type [COMMENT '…']`, where a
    /// type may hold `<…>` and `(…)`. Iceberg transforms (`month(d)`) and bare names are
    /// columns without a type.
    fn column_defs(&mut self) -> Result<Vec<Column>, ImportError> {
        let mut out = Vec::new();
        loop {
            let start_tok = self.i;
            let name = self.ident()?;
            let mut type_start = None;
            let mut type_end = 0;
            let mut comment = None;
            let mut angle = 0i32;
            let mut paren = 0i32;
            let mut transform = false;
            loop {
                let Some(t) = self.toks.get(self.i) else {
                    return Err(self.error_here(Detail::Expected(")".into())));
                };
                match &t.token {
                    Token::Comma | Token::RParen if angle <= 0 && paren == 0 => break,
                    Token::Word(w)
                        if angle <= 0
                            && paren == 0
                            && w.quote_style.is_none()
                            && w.value.eq_ignore_ascii_case("COMMENT") =>
                    {
                        self.i += 1;
                        comment = Some(self.string()?);
                        continue;
                    }
                    Token::Lt => angle += 1,
                    Token::Gt => angle -= 1,
                    Token::ShiftRight => angle -= 2,
                    Token::LParen => {
                        if type_start.is_none() {
                            transform = true;
                        }
                        paren += 1
                    }
                    Token::RParen => paren -= 1,
                    _ => {}
                }
                type_start.get_or_insert(t.span.start);
                type_end = t.span.end;
                self.i += 1;
            }
            let data_type = type_start
                .map(|s| self.text_of(s, type_end))
                .unwrap_or_default();
            if transform {
                // `month(service_date)`: the transform as written.
                let s = self.toks[start_tok].span.start;
                out.push(Column {
                    name: self.text_of(s, type_end),
                    data_type: String::new(),
                    comment,
                });
            } else {
                out.push(Column {
                    name,
                    data_type,
                    comment,
                });
            }
            if self.eat_token(&Token::Comma) {
                continue;
            }
            self.expect_token(&Token::RParen)?;
            return Ok(out);
        }
    }

    fn text_of(&self, start: usize, end: usize) -> String {
        self.text.get(start..end).unwrap_or_default().to_string()
    }

    /// The rest of the statement from the current token, as a query: its byte range, starting
    /// right after the previous token (so comments between `AS` and `SELECT` stay).
    fn rest(&self, text: &str) -> Result<Range<usize>, ImportError> {
        if self.i >= self.toks.len() {
            return Err(self.error_here(Detail::ExpectedQuery));
        }
        let first = &self.toks[self.i];
        if !(is_word(&first.token, "SELECT")
            || is_word(&first.token, "WITH")
            || is_word(&first.token, "VALUES")
            || first.token == Token::LParen)
        {
            return Err(self.error_here(Detail::ExpectedQuery));
        }
        let mut start = self.toks[self.i - 1].span.end;
        // Skip the rest of the line after `AS` and blank lines, keep comments.
        let bytes = text.as_bytes();
        while start < first.span.start && bytes[start].is_ascii_whitespace() {
            start += 1;
        }
        // Back to the start of the line, if only indentation precedes.
        let line_start = text[..start].rfind('\n').map(|p| p + 1).unwrap_or(0);
        if text[line_start..start].trim().is_empty() {
            start = line_start;
        }
        Ok(start..self.end)
    }
}
