#!/usr/bin/env python3
"""Local AWS emulator for karte's integration tests: moto's server plus a thin WSGI layer.

    python3 tests/aws/fake_aws.py [--port N] [--ignore-stdin]

Serves every moto service on 127.0.0.1:N (0 = a free port), prints `READY http://127.0.0.1:<port>`
and serves until killed or until stdin reaches EOF (unless --ignore-stdin). The layer in front of moto:
  * records every AWS call (service, operation, params) for the tests to inspect;
  * injects faults (throttling, SlowDown...) into the next calls of an operation;
  * injects seeded random faults (chaos): throttling, 500/503 before a call reaches moto, and for
    calls that change something also *after* it took effect (the reply is lost, as on a real network);
  * makes Glue's UpdateTable honour VersionId (a stale version is a ConcurrentModificationException);
  * serves Lake Formation's permission calls as documented where moto differs: ListPermissions on a
    Table resource answers its Table and TableWithColumns permissions, in pages (NextToken; 2 per
    page unless MaxResults says otherwise, so the tests prove pagination is followed);
    BatchGrantPermissions / BatchRevokePermissions take at most 20 entries and report each failed
    entry (a table missing from Glue, a revoke of a permission the principal does not hold);
  * makes Athena look real: ClientRequestToken idempotency as documented (the same token answers
    with the execution it first started, for any later run; a changed QueryString under a used
    token is an error), armed FAILED/RUNNING outcomes and result
    sets, statistics, BatchGetQueryExecution, and the Glue/S3 side effects of CTAS, INSERT INTO,
    CREATE VIEW and DROP TABLE, and OPTIMIZE/VACUUM refused on non-Iceberg tables (moto runs no SQL,
    so we apply them to moto's backends in-process).
Control endpoints live under /_karte/ (JSON in and out); see Emulator.control().
Needs only moto[server] (which brings werkzeug) and the standard library.
"""
import argparse, base64, copy, io, json, logging, pickle, random, re, sys, threading, uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

from werkzeug.serving import WSGIRequestHandler, make_server
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.athena.models import athena_backends
from moto.glue.models import glue_backends
from moto.iam.models import get_account_id_from
from moto.lakeformation.models import lakeformation_backends
from moto.s3.models import s3_backends

SCOPE_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
TARGET_PREFIXES = {"AmazonAthena": "athena", "AWSGlue": "glue"}  # for unsigned JSON calls
JSON_CT = "application/x-amz-json-1.1"
DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
ACCOUNT = "123456789012"  # what moto makes of the tests' access key `test`
FAKE_PARQUET = b"PAR1 fake parquet written by tests/aws/fake_aws.py PAR1"


# ---------------------------------------------------------------- what is this request?
def read_body(environ):
    """Read the whole request body and put it back so moto can read it again."""
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    body = stream.read(int(length)) if length else (stream.read() if environ.get("wsgi.input_terminated") else b"")
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    return body


S3_SUBRESOURCES = {"versioning": "Versioning", "policy": "Policy", "tagging": "Tagging", "acl": "Acl",
                   "lifecycle": "LifecycleConfiguration", "cors": "Cors", "encryption": "Encryption",
                   "ownershipControls": "OwnershipControls", "publicAccessBlock": "PublicAccessBlock"}


def s3_operation(method, path, query, headers_get, body):
    """Name the S3 REST operation of a path-style request `/bucket/key?query` and pick its params."""
    bucket, _, key = path.lstrip("/").partition("/")
    params = {"bucket": bucket} if bucket else {}
    if key:
        params["key"] = key
    sub = next((S3_SUBRESOURCES[q] for q in query if q in S3_SUBRESOURCES), None)
    if not bucket:
        return "ListBuckets", params
    if not key:
        special = {"location": "GetBucketLocation", "versions": "ListObjectVersions", "uploads": "ListMultipartUploads"}
        if method == "GET" and ("list-type" in query or not sub) and not set(special) & set(query):
            params["prefix"] = query.get("prefix", "")
            for name in ("delimiter", "continuation-token", "marker"):
                if name in query:
                    params[name.replace("-", "_")] = query[name]
            return ("ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"), params
        if method == "GET":
            return next((op for q, op in special.items() if q in query), f"GetBucket{sub}"), params
        if method == "POST" and "delete" in query:
            try:
                params["keys"] = [e.text or "" for e in ET.fromstring(body).iter() if e.tag.split("}")[-1] == "Key"]
            except ET.ParseError:
                params["keys"] = None
            return "DeleteObjects", params
        verb = {"HEAD": "Head", "PUT": "Put", "DELETE": "Delete"}.get(method, method.title())
        return (f"{verb}Bucket{sub}" if sub else ("CreateBucket" if verb == "Put" else f"{verb}Bucket")), params
    if method == "PUT":
        if "partNumber" in query:
            return ("UploadPartCopy" if headers_get("HTTP_X_AMZ_COPY_SOURCE") else "UploadPart"), params
        if headers_get("HTTP_X_AMZ_COPY_SOURCE"):
            return "CopyObject", params
        return f"PutObject{sub or ''}", params
    if method == "POST":
        return ("CreateMultipartUpload" if "uploads" in query else "CompleteMultipartUpload"), params
    if method == "DELETE":
        return ("AbortMultipartUpload" if "uploadId" in query else f"DeleteObject{sub or ''}"), params
    if method == "GET" and "uploadId" in query:
        return "ListParts", params
    return ("HeadObject" if method == "HEAD" else f"GetObject{sub or ''}"), params


def classify(environ):
    """-> dict(service, operation, params, region, account, json) for one AWS request."""
    method, get = environ["REQUEST_METHOD"], environ.get
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    scope = SCOPE_RE.search(get("HTTP_AUTHORIZATION", ""))
    access_key, region, service = (scope[1], scope[2], scope[3]) if scope else ("", "us-east-1", None)
    target = get("HTTP_X_AMZ_TARGET", "")
    service = service or TARGET_PREFIXES.get(target.split(".")[0]) or "s3"
    req = {"service": service, "region": region, "json": None,
           "account": get_account_id_from(access_key) if access_key else "123456789012"}
    if target:  # JSON protocol (Athena, Glue, ...): operation from the target, params = the body
        req["operation"] = target.split(".", 1)[-1]
        try:
            req["json"] = req["params"] = json.loads(read_body(environ) or b"{}")
        except ValueError:
            req["json"] = req["params"] = {}
    elif service == "lakeformation":  # REST-JSON: POST /<Operation> with a JSON body
        req["operation"] = path.strip("/")
        try:
            req["json"] = req["params"] = json.loads(read_body(environ) or b"{}")
        except ValueError:
            req["json"] = req["params"] = {}
    elif service == "s3":
        body = read_body(environ) if method == "POST" and "delete" in query else b""
        req["operation"], req["params"] = s3_operation(method, path, query, get, body)
    elif get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):  # query protocol (STS)
        form = dict(parse_qsl(read_body(environ).decode(), keep_blank_values=True))
        req["operation"] = form.pop("Action", f"{method} {path}")
        form.pop("Version", None)
        req["params"] = form
    else:
        req["operation"], req["params"] = f"{method} {path}", dict(query)
    return req


# ---------------------------------------------------------------- SQL: just enough to find effects
TOKEN_RE = re.compile(r"""\s+|--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|[A-Za-z_][\w$]*"""
                      r"""|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|<>|!=|<=|>=|\|\||\S""", re.S)
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
HIVE_ESCAPED = set('"#%\'*/:=?\\\x7f{[]^') | {chr(c) for c in range(1, 32)}


class QueryFailed(Exception):
    def __init__(self, message, error_type=1000):
        super().__init__(message)
        self.message, self.error_type = message, error_type


def tokenize(sql):
    return [t for t in TOKEN_RE.findall(sql) if not (t.isspace() or t.startswith("--") or t.startswith("/*"))]


def depths(tokens):
    """Bracket depth of every token (the opening bracket is at the outer depth)."""
    out, d = [], 0
    for t in tokens:
        d -= t in ")]"
        out.append(d)
        d += t in "(["
    return out


def split_top(tokens, word):
    """Split at the depth-0 occurrences of a keyword (or punctuation)."""
    parts, cur = [], []
    for t, d in zip(tokens, depths(tokens)):
        if d == 0 and t.upper() == word:
            parts, cur = parts + [cur], []
        else:
            cur.append(t)
    return parts + [cur]


def strip_parens(tokens):
    while len(tokens) >= 2 and tokens[0] == "(" and depths(tokens)[-1] == 0 and 0 not in depths(tokens)[1:-1]:
        tokens = tokens[1:-1]
    return tokens


def unquote(tok):
    if tok[:1] == "'":
        return tok[1:-1].replace("''", "'")
    return tok[1:-1].replace('""', '"') if tok[:1] in '"`' else tok.lower()


def literal(toks):
    """Value of a SQL literal as Hive writes it in a partition name (None for NULL)."""
    head = toks[0].upper()
    if toks[0].startswith("'"):
        return unquote(toks[0])
    if head in ("DATE", "TIMESTAMP", "DECIMAL", "TIME", "VARCHAR", "CHAR") and len(toks) > 1:
        return literal(toks[1:])
    if head == "CAST":
        return literal(toks[2:])
    if head in ("TRUE", "FALSE"):
        return head.lower()
    if head == "NULL":
        return None
    return toks[0] + toks[1] if toks[0] in "+-" and len(toks) > 1 else toks[0]


def batch_rows(tokens):
    """Partition values named by the last top-level WHERE: [{column: value}] (None = NULL)."""
    where = [i for i, (t, d) in enumerate(zip(tokens, depths(tokens))) if d == 0 and t.upper() == "WHERE"]
    if not where:
        return []
    cond = [t for t in tokens[where[-1] + 1:] if t != ";"]
    if [t.upper() for t in strip_parens(cond)] == ["FALSE"]:
        return []
    rows = []
    for disjunct in split_top(strip_parens(cond), "OR"):
        d = strip_parens(disjunct)
        if len(d) >= 4 and d[1].upper() == "IN":  # k IN (<literal>, ...): one partition each
            rows.extend({unquote(d[0]).lower(): literal(item)} for item in split_top(strip_parens(d[2:]), ","))
            continue
        row = {}
        for c in split_top(strip_parens(disjunct), "AND"):
            c = strip_parens(c)
            if len(c) >= 3 and c[1] == "=":
                row[unquote(c[0]).lower()] = literal(c[2:])
            elif [t.upper() for t in c[1:]] == ["IS", "NULL"]:
                row[unquote(c[0]).lower()] = None
        rows.append(row)
    return rows


def hive_escape(value):
    return HIVE_NULL if value is None else "".join(f"%{ord(c):02X}" if c in HIVE_ESCAPED else c for c in value)


class AthenaEffects:
    """Applies what Athena would do to Glue and S3 for one successful statement, via moto's backends.

    CREATE TABLE db.t WITH (external_location=.., partitioned_by=ARRAY[..], table_type=..) AS ...:
        Glue table (one string column `c`, partition keys as strings) + `part-00000.parquet` under the
        location, or under `<location>k=v/.../` for each partition named by the final WHERE's batch filter
        `(k = <literal> AND ...) OR ...` or `k IN (<literal>, ...)` (`k IS NULL` -> __HIVE_DEFAULT_PARTITION__; `WHERE false` -> none).
        Fails like Athena if the table exists or the location already holds objects.
    INSERT INTO db.t ...: the filter's missing partitions + `part-<n>.parquet` files (n = 1, 2, ...).
    CREATE [OR REPLACE] VIEW: a VIRTUAL_VIEW table.  DROP TABLE|VIEW [IF EXISTS]: drops the Glue table only.
    """

    def __init__(self, account, region, default_db, output_location, query_id):
        self.glue, self.s3 = glue_backends[account][region], s3_backends[account]["aws"]
        self.default_db, self.output, self.query_id = default_db or "default", output_location, query_id

    def apply(self, sql):
        toks = tokenize(sql)
        up = [t.upper() for t in toks[:6]]
        if up[:2] == ["CREATE", "TABLE"]:
            self.ctas(sql, toks)
        elif up[:4] == ["CREATE", "OR", "REPLACE", "VIEW"] or up[:2] == ["CREATE", "VIEW"]:
            self.view(sql, toks, replace=up[1] == "OR")
        elif up[:2] == ["INSERT", "INTO"]:
            self.insert(toks)
        elif up[:2] == ["DROP", "TABLE"] or up[:2] == ["DROP", "VIEW"]:
            if_exists = up[2:4] == ["IF", "EXISTS"]
            db, name, _ = self.name(toks, 4 if if_exists else 2)
            if self.table(db, name) is not None:
                del self.glue.databases[db].tables[name]
            elif not if_exists:
                raise QueryFailed(f"TABLE_NOT_FOUND: Table awsdatacatalog.{db}.{name} does not exist")
        elif up[:1] == ["OPTIMIZE"] or up[:1] == ["VACUUM"]:
            self.maintain(toks, up[0])
        # MERGE INTO, DELETE FROM, SELECT, WITH ... SELECT, anything else: no side effects

    def maintain(self, toks, what):
        """OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE ...] / VACUUM t: Iceberg tables only (Athena's
        documented restriction); the rewrite and snapshot expiry themselves change nothing karte reads."""
        db, name, i = self.name(toks, 1)
        table = self.table(db, name)
        if table is None:
            raise QueryFailed(f"TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.{db}.{name}' does not exist")
        if str((table.as_dict().get("Parameters") or {}).get("table_type", "")).upper() != "ICEBERG":
            raise QueryFailed(f"NOT_SUPPORTED: {what} is supported only for Iceberg tables ({db}.{name})")
        if what == "OPTIMIZE" and [t.upper() for t in toks[i:i + 4]] != ["REWRITE", "DATA", "USING", "BIN_PACK"]:
            raise QueryFailed("SYNTAX_ERROR: OPTIMIZE takes REWRITE DATA USING BIN_PACK [WHERE predicate]")

    # -- helpers
    def name(self, toks, i):
        """Parse `[catalog.][db.]name` at toks[i] -> (db, name, index after it)."""
        parts = [unquote(toks[i]).lower()]
        while i + 2 < len(toks) and toks[i + 1] == ".":
            parts.append(unquote(toks[i + 2]).lower())
            i += 2
        parts = parts[-2:] if len(parts) > 1 else [self.default_db] + parts
        return parts[0], parts[1], i + 1

    def table(self, db, name):
        database = self.glue.databases.get(db)
        return database.tables.get(name) if database else None

    def ensure_db(self, db):
        if db not in self.glue.databases:
            self.glue.create_database(db, {"Name": db})

    def put(self, s3_url):
        bucket, _, key = s3_url[len("s3://"):].partition("/")
        self.s3.put_object(bucket, key, FAKE_PARQUET)

    def add_partitions(self, db, name, table_input, rows, file_name):
        keys = [k["Name"] for k in table_input.get("PartitionKeys", [])]
        location = table_input["StorageDescriptor"]["Location"].rstrip("/") + "/"
        table = self.table(db, name)
        for row in rows:
            if not all(k in row for k in keys):
                continue  # the filter does not pin every partition column: nothing we can name
            values = [HIVE_NULL if row[k] is None else row[k] for k in keys]
            part_location = location + "".join(f"{k}={hive_escape(row[k])}/" for k in keys)
            if str(values) not in table.partitions:
                sd = dict(copy.deepcopy(table_input["StorageDescriptor"]), Location=part_location)
                table.create_partition({"Values": values, "StorageDescriptor": sd, "Parameters": {}})
            self.put(part_location + file_name)

    # -- statements
    def ctas(self, sql, toks):
        if_not_exists = [t.upper() for t in toks[2:5]] == ["IF", "NOT", "EXISTS"]
        db, name, i = self.name(toks, 5 if if_not_exists else 2)
        props = {}
        if i + 1 < len(toks) and toks[i].upper() == "WITH" and toks[i + 1] == "(":
            depth = depths(toks)
            end = next(j for j in range(i + 1, len(toks)) if depth[j] == depth[i + 1] and toks[j] == ")")
            for prop in split_top(toks[i + 2:end], ","):
                if len(prop) >= 3 and prop[1] == "=":
                    value = prop[2:]
                    props[prop[0].lower()] = ([unquote(t).lower() for t in value if t.startswith("'")]
                                              if value[0].upper() == "ARRAY" else unquote(value[0]))
            i = end + 1
        if i >= len(toks) or toks[i].upper() != "AS":
            return  # CREATE TABLE with a column list: plain DDL, not emulated
        if self.table(db, name) is not None:
            if if_not_exists:
                return
            raise QueryFailed(f"TABLE_ALREADY_EXISTS: Table awsdatacatalog.{db}.{name} already exists")
        location = props.get("external_location") or (
            self.output and self.output.rstrip("/") + f"/tables/{self.query_id}/")
        if not location:
            raise QueryFailed("INVALID_INPUT: No output location provided for the table", 1004)
        location = location.rstrip("/") + "/"
        bucket, _, prefix = location[len("s3://"):].partition("/")
        if bucket in self.s3.buckets and any(k.startswith(prefix) for k in self.s3.buckets[bucket].keys):
            raise QueryFailed(f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{name}' "
                              f"already exists: {location}. You may need to manually clean the data at "
                              f"location '{location}' before retrying.")
        fmt = str(props.get("format", "PARQUET")).lower()
        parameters = {"EXTERNAL": "TRUE", "classification": fmt, "has_encrypted_data": "false"}
        if str(props.get("table_type", "")).upper() == "ICEBERG":
            parameters = {"table_type": "ICEBERG", "classification": fmt}
        table_input = {
            "Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": parameters,
            "PartitionKeys": [{"Name": k, "Type": "string"} for k in props.get("partitioned_by", [])],
            "StorageDescriptor": {"Columns": [{"Name": "c", "Type": "string"}], "Location": location,
                                  "Compressed": "write_compression" in props, "Parameters": {}},
        }
        self.ensure_db(db)
        self.glue.create_table(db, name, table_input)
        if [t.upper() for t in toks[-3:]] == ["WITH", "NO", "DATA"]:
            return
        if table_input["PartitionKeys"]:
            self.add_partitions(db, name, table_input, batch_rows(toks[i + 1:]), "part-00000.parquet")
        else:
            self.put(location + "part-00000.parquet")

    def insert(self, toks):
        db, name, _ = self.name(toks, 2)
        table = self.table(db, name)
        if table is None:
            raise QueryFailed(f"TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.{db}.{name}' does not exist")
        table_input = table.as_dict()
        table.karte_files = getattr(table, "karte_files", 0) + 1  # part-<n> grows with every insert
        file_name = f"part-{table.karte_files:05d}.parquet"
        if table_input.get("PartitionKeys"):
            self.add_partitions(db, name, table_input, batch_rows(toks), file_name)
        else:
            self.put(table_input["StorageDescriptor"]["Location"].rstrip("/") + "/" + file_name)

    def view(self, sql, toks, replace):
        db, name, _ = self.name(toks, 4 if replace else 2)
        view_input = {"Name": name, "TableType": "VIRTUAL_VIEW", "ViewOriginalText": sql,
                      "ViewExpandedText": "/* Presto View */", "Parameters": {"presto_view": "true"},
                      "StorageDescriptor": {"Columns": [{"Name": "c", "Type": "string"}], "Location": ""}}
        self.ensure_db(db)
        if self.table(db, name) is None:
            self.glue.create_table(db, name, view_input)
        elif replace:
            self.glue.update_table(db, name, view_input)
        else:
            raise QueryFailed(f"TABLE_ALREADY_EXISTS: View 'awsdatacatalog.{db}.{name}' already exists")


# ---------------------------------------------------------------- the WSGI layer
class Emulator:
    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.RLock()
        self.calls, self.faults, self.outcomes, self.results = [], [], [], []
        self.queries, self.by_id, self.by_token = [], {}, {}  # /_karte/queries; query records
        self.chaos = None  # {"rng", "rate", "services", "after"} once /_karte/chaos is posted
        self.saved = {}  # name -> pickled state (POST /_karte/save)
        self.lf_unknown = set()  # principals Lake Formation does not know (POST /_karte/lf-unknown-principals)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/_karte/"):
            return self.control(environ, start_response)
        req = classify(environ)
        with self.lock:
            fault = self.take(self.faults, lambda f: f["operation"] == req["operation"]
                              and f.get("service", req["service"]) == req["service"])
            fault = fault or self.chaos_fault(req)
            call = {"service": req["service"], "operation": req["operation"], "params": req["params"]}
            self.calls.append(dict(call, fault=fault["error"]) if fault else call)
        if fault and not fault.get("after"):
            return self.fault_response(req, fault, environ, start_response)
        handler = (getattr(self, f"{req['service']}_{req['operation']}", None)
                   if req["service"] in ("athena", "glue", "lakeformation") else None)
        if fault:  # the call takes effect, then its reply is lost
            chunks = handler(req, environ, lambda *a, **k: None) if handler else self.moto(environ, lambda *a, **k: None)
            b"".join(chunks)
            return self.fault_response(req, fault, environ, start_response)
        return handler(req, environ, start_response) if handler else self.moto(environ, start_response)

    # The state /_karte/save keeps: the test account's Glue and Athena (us-east-1) and S3.
    SAVED_BACKENDS = ((glue_backends, "us-east-1"), (s3_backends, "aws"), (athena_backends, "us-east-1"),
                      (lakeformation_backends, "us-east-1"))

    CHAOS_ERRORS = (("ThrottlingException", 400), ("InternalServerException", 500), ("ServiceUnavailable", 503))
    SAFE_AFTER = {"StartQueryExecution"}  # calls whose retry is idempotent, so a lost reply may be tested

    def chaos_fault(self, req):
        """A seeded random fault for this call, or None (see POST /_karte/chaos)."""
        c = self.chaos
        if not c or req["service"] not in c["services"] or req["operation"] in c["spare"]:
            return None
        if c["rng"].random() >= c["rate"]:
            return None
        error, status = c["rng"].choice(self.CHAOS_ERRORS)
        if req["service"] == "s3":
            error, status = ("SlowDown", 503) if status != 500 else ("InternalError", 500)
        after = req["operation"] in self.SAFE_AFTER and c["rng"].random() < c["after"]
        c["injected"] += 1
        return {"error": error, "status": status, "after": after, "message": "injected at random (chaos)"}

    # -- control endpoints
    def control(self, environ, start_response):
        """The test-facing endpoints (JSON in and out; POSTs answer {"ok": true}, errors {"error": "..."}):

        GET  /_karte/calls          [{"service", "operation", "params", "fault"?}] of every AWS call, in order
        POST /_karte/reset-calls    forget the recorded calls
        POST /_karte/reset          forget calls and every armed fault/outcome/result (moto's state stays)
        POST /_karte/save           {"name"}: keep a copy of moto's Glue, S3 and Athena state and the query records
        POST /_karte/restore        {"name"}: put that copy back (calls and everything armed are forgotten)
        POST /_karte/faults         {"operation", "error", "count"=1, "service"?, "status"?, "message"?}:
                                    the next `count` calls of the operation fail without reaching moto
        POST /_karte/query-outcome  {"match", "state": "FAILED"|"RUNNING", "message"?, "error_category"=2,
                                    "error_type"=1000, "retryable"=false, "count"=1, "leaves_files"=false}: the
                                    next `count` queries containing `match` end so (RUNNING: until
                                    StopQueryExecution -> CANCELLED); `leaves_files`: a FAILED CTAS or INSERT
                                    first writes its data files and keeps them, as Athena documents ("even if
                                    a CTAS or INSERT INTO statement fails, orphaned data can be left in the
                                    data location"), but registers nothing in Glue
        POST /_karte/chaos          {"seed", "rate", "services"=["athena","glue","s3"], "after"=0.5, "spare"=[]}:
                                    every later call of those services fails with probability `rate`
                                    (throttling, 500 or 503, drawn from a generator seeded with `seed`);
                                    StartQueryExecution fails *after* starting its query with probability
                                    `after`; operations in `spare` are never failed. rate 0 switches it off.
        GET  /_karte/chaos          {"injected": n}
        POST /_karte/query-results  {"match", "columns": [{"name", "type"}], "rows": [[value|null, ...]],
                                    "count"=1}: what GetQueryResults returns for the next `count` such queries
        GET  /_karte/queries        [{"id", "query", "client_request_token", "duplicate", "state"}] for every
                                    StartQueryExecution that reached the emulator (duplicate = token seen before)
        POST /_karte/lf-grant       {"principal", "resource", "permissions", "grantable"=[]}: a Lake Formation
                                    permission someone else granted (not recorded as a call)
        GET  /_karte/lf-permissions every Lake Formation permission held, sorted
        POST /_karte/lf-unknown-principals {"principals"}: grants to these fail, entry by entry, as grants to
                                    a principal that does not exist do
        """
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"][len("/_karte/"):]
        try:
            body = json.loads(read_body(environ) or b"{}") if method == "POST" else {}
        except ValueError as e:
            return respond(start_response, 400, {"error": f"bad JSON: {e}"})
        with self.lock:
            if (method, path) == ("GET", "calls"):
                return respond(start_response, 200, self.calls)
            if (method, path) == ("POST", "lf-grant"):
                backend = lakeformation_backends[ACCOUNT]["us-east-1"]
                backend.grant_permissions(ACCOUNT, {"DataLakePrincipalIdentifier": body["principal"]},
                                          json.loads(self.lf_key(body["resource"])), body["permissions"],
                                          body.get("grantable", []))
                return respond(start_response, 200, {"ok": True})
            if (method, path) == ("POST", "lf-unknown-principals"):
                self.lf_unknown = set(body.get("principals", []))
                return respond(start_response, 200, {"ok": True})
            if (method, path) == ("GET", "lf-permissions"):
                backend = lakeformation_backends[ACCOUNT]["us-east-1"]
                held = backend.grants[ACCOUNT].permissions if ACCOUNT in backend.grants else set()
                out = [dict(x.to_external_form(), Permissions=sorted(x.permissions)) for x in held]
                return respond(start_response, 200, sorted(out, key=lambda x: json.dumps(x, sort_keys=True)))
            if (method, path) == ("GET", "queries"):
                queries = [dict(q, state=self.state(self.by_id[q["id"]])) for q in self.queries]
                return respond(start_response, 200, queries)
            if (method, path) == ("POST", "chaos"):
                self.chaos = {"rng": random.Random(body.get("seed", 0)), "rate": float(body.get("rate", 0)),
                              "services": set(body.get("services", ["athena", "glue", "s3"])),
                              "after": float(body.get("after", 0.5)), "spare": set(body.get("spare", [])),
                              "injected": 0} if body.get("rate") else None
                return respond(start_response, 200, {"ok": True})
            if (method, path) == ("GET", "chaos"):
                return respond(start_response, 200, {"injected": self.chaos["injected"] if self.chaos else 0})
            if (method, path) == ("POST", "reset-calls"):
                self.calls.clear()
                return respond(start_response, 200, {"ok": True})
            if (method, path) == ("POST", "save"):
                self.saved[body.get("name", "")] = pickle.dumps(
                    ([backends[ACCOUNT][region] for backends, region in self.SAVED_BACKENDS],
                     self.queries, self.by_id, self.by_token))
                return respond(start_response, 200, {"ok": True})
            if (method, path) == ("POST", "restore"):
                if body.get("name", "") not in self.saved:
                    return respond(start_response, 400, {"error": f"nothing saved as {body.get('name')!r}"})
                state, self.queries, self.by_id, self.by_token = pickle.loads(self.saved[body.get("name", "")])
                for (backends, region), backend in zip(self.SAVED_BACKENDS, state):
                    backends[ACCOUNT][region] = backend
                for kept in (self.calls, self.faults, self.outcomes, self.results):
                    kept.clear()
                self.chaos = None
                return respond(start_response, 200, {"ok": True})
            if (method, path) == ("POST", "reset"):  # forget calls and everything armed (not moto's state)
                for kept in (self.calls, self.faults, self.outcomes, self.results):
                    kept.clear()
                return respond(start_response, 200, {"ok": True})
            armed = {"faults": (self.faults, "operation"), "query-outcome": (self.outcomes, "match"),
                     "query-results": (self.results, "match")}.get(path)
            if method == "POST" and armed:
                required = (armed[1], "error") if path == "faults" else (armed[1],)
                if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in required):
                    return respond(start_response, 400, {"error": f"{' and '.join(required)} (strings) required"})
                armed[0].append(dict(body, count=int(body.get("count", 1))))
                return respond(start_response, 200, {"ok": True})
        return respond(start_response, 404, {"error": f"no control endpoint {method} /_karte/{path}"})

    @staticmethod
    def take(armed, matches):
        """Consume one use of the first armed entry that matches (None if none does)."""
        entry = next((a for a in armed if a["count"] > 0 and matches(a)), None)
        if entry:
            entry["count"] -= 1
            if entry["count"] <= 0:
                armed.remove(entry)
        return entry

    @staticmethod
    def fault_response(req, fault, environ, start_response):
        error, status = fault["error"], fault.get("status")
        rid = str(uuid.uuid4())
        if req["service"] == "s3":
            default = "Please reduce your request rate." if error == "SlowDown" else "Injected fault"
            message = fault.get("message", default)
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{error}</Code><Message>{message}'
                    f"</Message><RequestId>{rid}</RequestId></Error>").encode()
            status = status or (503 if error == "SlowDown" else 400)
            headers = [("Content-Type", "application/xml"), ("x-amz-request-id", rid)]
        elif req["json"] is not None:
            body = json.dumps({"__type": error, "Message": fault.get("message", "Rate exceeded")}).encode()
            headers = [("Content-Type", JSON_CT), ("x-amzn-ErrorType", error), ("x-amzn-RequestId", rid)]
        else:  # query protocol (STS, IAM...)
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{error}</Code><Message>"
                    f"{fault.get('message', 'Rate exceeded')}</Message></Error><RequestId>{rid}</RequestId>"
                    "</ErrorResponse>").encode()
            headers = [("Content-Type", "text/xml")]
        start_response(f"{status or 400} Injected", headers + [("Content-Length", str(len(body)))])
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]

    def call_moto(self, environ, target=None, body=None):
        """Run one request through moto and return (status code, headers, body bytes)."""
        if target:
            environ = dict(environ, HTTP_X_AMZ_TARGET=target, CONTENT_LENGTH=str(len(body)))
            environ["wsgi.input"] = io.BytesIO(body)
        got = {}
        chunks = self.moto(environ, lambda status, headers, exc_info=None: got.update(status=status, headers=headers))
        try:
            data = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return int(got["status"].split()[0]), got["headers"], data

    # -- Athena: query records, states and results
    def state(self, rec):
        """The state the client sees: moto's QUEUED->RUNNING->SUCCEEDED, overridden by what was armed."""
        execution = athena_backends[rec["account"]][rec["region"]].executions.get(rec["id"])
        moto_state = execution.status if execution else "SUCCEEDED"
        outcome = rec["outcome"]
        if rec["cancelled"]:
            return "CANCELLED"
        if outcome and outcome.get("state") == "RUNNING":
            return "RUNNING"
        if moto_state in ("QUEUED", "RUNNING") or not outcome:
            return moto_state
        return outcome.get("state", "FAILED")

    def known(self, req, query_id):
        return query_id in self.by_id and query_id in athena_backends[req["account"]][req["region"]].executions

    def athena_StartQueryExecution(self, req, environ, start_response):
        params, query = req["params"], req["params"].get("QueryString", "")
        token = params.get("ClientRequestToken")
        with self.lock:
            if token and token in self.by_token:  # idempotent retry: same id, nothing new starts
                rec = self.by_token[token]
                if rec["query"] != query:  # as Athena: a used token with other parameters is an error
                    return athena_error(start_response, "Idempotent parameters do not match")
                self.queries.append({"id": rec["id"], "query": query, "client_request_token": token,
                                     "duplicate": True})
                return respond(start_response, 200, {"QueryExecutionId": rec["id"]})
            status, headers, body = self.call_moto(environ)
            if status != 200:
                return raw(start_response, status, headers, body)
            query_id = json.loads(body)["QueryExecutionId"]
            rec = {"id": query_id, "account": req["account"], "region": req["region"], "query": query,
                   "cancelled": False, "results": None,
                   "outcome": self.take(self.outcomes, lambda o: o["match"] in query)}
            if rec["outcome"] and rec["outcome"].get("leaves_files"):
                self.leave_files(req, params, query, query_id)
            if rec["outcome"] is None:  # it will succeed: apply its effects now, or fail as Athena would
                context = params.get("QueryExecutionContext") or {}
                output = (params.get("ResultConfiguration") or {}).get("OutputLocation")
                try:
                    effects = AthenaEffects(req["account"], req["region"], context.get("Database"), output, query_id)
                    effects.apply(query)
                except QueryFailed as e:
                    rec["outcome"] = {"state": "FAILED", "message": e.message, "error_category": 2,
                                      "error_type": e.error_type}
                except Exception as e:  # e.g. the bucket does not exist
                    rec["outcome"] = {"state": "FAILED", "message": f"GENERIC_INTERNAL_ERROR: {type(e).__name__}: {e}",
                                      "error_category": 1, "error_type": 401}
            if rec["outcome"] is None:
                rec["results"] = self.take(self.results, lambda r: r["match"] in query)
            self.by_id[query_id] = rec
            if token:
                self.by_token[token] = rec
            self.queries.append({"id": query_id, "query": query, "client_request_token": token, "duplicate": False})
        return respond(start_response, 200, {"QueryExecutionId": query_id})

    def leave_files(self, req, params, query, query_id):
        """A failed write's data files, kept; the Glue catalog as it was before the query."""
        glue = glue_backends[req["account"]][req["region"]]
        before = {db: copy.deepcopy(dict(d.tables)) for db, d in glue.databases.items()}
        context = params.get("QueryExecutionContext") or {}
        output = (params.get("ResultConfiguration") or {}).get("OutputLocation")
        try:
            AthenaEffects(req["account"], req["region"], context.get("Database"), output, query_id).apply(query)
        except QueryFailed:
            pass
        for db in list(glue.databases):
            if db in before:
                glue.databases[db].tables.clear()
                glue.databases[db].tables.update(before[db])

    def rewrite(self, execution):
        """Patch moto's QueryExecution JSON with the armed outcome, cancellation and statistics."""
        rec = self.by_id[execution["QueryExecutionId"]]
        state, outcome, status = self.state(rec), rec["outcome"] or {}, execution.setdefault("Status", {})
        status["State"] = state
        execution["WorkGroup"] = execution.get("WorkGroup") or "primary"  # moto says null when none was given
        for key in [k for k, v in execution.items() if v is None]:
            del execution[key]
        if state not in DONE:
            status.pop("CompletionDateTime", None)
        if state == "FAILED":
            message = outcome.get("message", "FAILED")
            status["StateChangeReason"] = message
            status["AthenaError"] = {"ErrorCategory": outcome.get("error_category", 2),
                                     "ErrorType": outcome.get("error_type", 1000),
                                     "Retryable": bool(outcome.get("retryable", False)), "ErrorMessage": message}
        elif state == "CANCELLED":
            status["StateChangeReason"] = outcome.get("message", "Query cancelled by user")
        elif state == "SUCCEEDED":
            stats = execution.setdefault("Statistics", {})
            for key, value in (("DataScannedInBytes", len(rec["query"]) * 1000), ("EngineExecutionTimeInMillis", 100),
                               ("TotalExecutionTimeInMillis", 120)):
                stats[key] = stats.get(key) or value
        return execution

    def athena_GetQueryExecution(self, req, environ, start_response):
        query_id = req["params"].get("QueryExecutionId")
        with self.lock:
            if not self.known(req, query_id):
                return athena_error(start_response, f"QueryExecution {query_id} was not found")
            status, headers, body = self.call_moto(environ)
            if status != 200:
                return raw(start_response, status, headers, body)
            return respond(start_response, 200, {"QueryExecution": self.rewrite(json.loads(body)["QueryExecution"])})

    def glue_UpdateTable(self, req, environ, start_response):
        """moto ignores VersionId; Glue refuses an update at a version that is not the current one."""
        p = req["params"]
        want = p.get("VersionId")
        if want is not None:
            try:
                table = glue_backends[req["account"]][req["region"]].get_table(
                    p.get("DatabaseName"), (p.get("TableInput") or {}).get("Name"))
            except Exception:  # noqa: BLE001 - moto answers the missing table itself
                table = None
            if table is not None and str(table._current_version) != str(want):
                return respond(start_response, 400, {"__type": "ConcurrentModificationException",
                                                     "Message": "Update table failed due to concurrent modifications."},
                               [("x-amzn-ErrorType", "ConcurrentModificationException")])
        return self.moto(environ, start_response)

    def glue_BatchDeleteTableVersion(self, req, environ, start_response):  # not in moto 5.2.1
        p, errors = req["params"], []
        backend = glue_backends[req["account"]][req["region"]]
        for version in p.get("VersionIds", []):
            try:
                backend.delete_table_version(p["DatabaseName"], p["TableName"], version)
            except Exception as e:  # noqa: BLE001 - reported per entry, as Glue does
                errors.append({"TableName": p["TableName"], "VersionId": version,
                               "ErrorDetail": {"ErrorCode": "EntityNotFoundException", "ErrorMessage": str(e)}})
        return respond(start_response, 200, {"Errors": errors})

    def athena_BatchGetQueryExecution(self, req, environ, start_response):  # not in moto 5.2.1
        found, unprocessed = [], []
        with self.lock:
            for query_id in req["params"].get("QueryExecutionIds", []):
                if not self.known(req, query_id):
                    unprocessed.append({"QueryExecutionId": query_id, "ErrorCode": "INVALID_INPUT",
                                        "ErrorMessage": f"QueryExecution {query_id} was not found"})
                    continue
                _, _, body = self.call_moto(environ, "AmazonAthena.GetQueryExecution",
                                            json.dumps({"QueryExecutionId": query_id}).encode())
                found.append(self.rewrite(json.loads(body)["QueryExecution"]))
        return respond(start_response, 200, {"QueryExecutions": found, "UnprocessedQueryExecutionIds": unprocessed})

    def athena_StopQueryExecution(self, req, environ, start_response):
        query_id = req["params"].get("QueryExecutionId")
        with self.lock:
            if not self.known(req, query_id):
                return athena_error(start_response, f"QueryExecution {query_id} was not found")
            rec = self.by_id[query_id]
            if self.state(rec) not in DONE:  # stopping a finished query changes nothing, as in Athena
                rec["cancelled"] = True
                self.call_moto(environ)
        return respond(start_response, 200, {})

    def athena_GetQueryResults(self, req, environ, start_response):
        params, query_id = req["params"], req["params"].get("QueryExecutionId")
        with self.lock:
            if not self.known(req, query_id):
                return athena_error(start_response, f"QueryExecution {query_id} was not found")
            rec = self.by_id[query_id]
            state = self.state(rec)
            if state != "SUCCEEDED":
                return athena_error(start_response, f"Query did not finish successfully. Final query state: {state}"
                                    if state in DONE else f"Query has not yet finished. Current state: {state}")
            armed = rec["results"]
            if not armed:
                return self.moto(environ, start_response)  # moto's default: an empty result set
        columns = armed.get("columns", [])
        datum = lambda v: {} if v is None else {"VarCharValue": str(v).lower() if isinstance(v, bool) else str(v)}
        rows = [{"Data": [{"VarCharValue": c["name"]} for c in columns]}]
        rows += [{"Data": [datum(v) for v in row]} for row in armed.get("rows", [])]
        try:
            token = params.get("NextToken")  # "<query id>:<row offset>", base64
            start = int(base64.urlsafe_b64decode(token).decode().split(":")[1]) if token else 0
        except (ValueError, IndexError):
            return athena_error(start_response, "Invalid NextToken")
        end = start + int(params.get("MaxResults") or 1000)
        out = {"UpdateCount": 0, "ResultSet": {"Rows": rows[start:end], "ResultSetMetadata": {"ColumnInfo": [
            {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c["name"], "Label": c["name"],
             "Type": c.get("type", "varchar"), "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN",
             "CaseSensitive": c.get("type", "varchar") == "varchar"} for c in columns]}}}
        if end < len(rows):
            out["NextToken"] = base64.urlsafe_b64encode(f"{query_id}:{end}".encode()).decode()
        return respond(start_response, 200, out)

    # -- Lake Formation: permissions as the API reference documents them
    LF_BATCH = 20  # entries per BatchGrantPermissions / BatchRevokePermissions
    LF_PAGE = 2  # ListPermissions page size without MaxResults (small: pagination gets exercised)

    @staticmethod
    def lf_table(resource):
        r = (resource or {}).get("Table") or (resource or {}).get("TableWithColumns")
        return (r.get("DatabaseName"), r.get("Name")) if r else (None, None)

    @staticmethod
    def lf_key(resource):
        """A resource, canonical: column lists sorted, CatalogId dropped."""
        out = copy.deepcopy(resource or {})
        for kind in out.values():
            if isinstance(kind, dict):
                kind.pop("CatalogId", None)
                if "ColumnNames" in kind:
                    kind["ColumnNames"] = sorted(kind["ColumnNames"])
                if "ExcludedColumnNames" in kind.get("ColumnWildcard", {}):
                    kind["ColumnWildcard"]["ExcludedColumnNames"] = sorted(kind["ColumnWildcard"]["ExcludedColumnNames"])
        return json.dumps(out, sort_keys=True)

    def lf_grants(self, req):
        backend = lakeformation_backends[req["account"]][req["region"]]
        catalog = req["params"].get("CatalogId") or req["account"]
        return backend, catalog, (backend.grants[catalog].permissions if catalog in backend.grants else set())

    def lf_batch(self, req, start_response):
        entries = req["params"].get("Entries") or []
        if len(entries) > self.LF_BATCH:
            return respond(start_response, 400, {"__type": "InvalidInputException",
                                                 "Message": f"Entries: at most {self.LF_BATCH} entries, got {len(entries)}"},
                           [("x-amzn-ErrorType", "InvalidInputException")])
        return None

    def lakeformation_BatchGrantPermissions(self, req, environ, start_response):
        with self.lock:
            too_many = self.lf_batch(req, start_response)
            if too_many:
                return too_many
            backend, catalog, _ = self.lf_grants(req)
            glue, failures = glue_backends[req["account"]][req["region"]], []
            for e in req["params"].get("Entries") or []:
                db, name = self.lf_table(e.get("Resource"))
                principal = (e.get("Principal") or {}).get("DataLakePrincipalIdentifier")
                if principal in self.lf_unknown:
                    failures.append({"RequestEntry": e, "Error": {"ErrorCode": "InvalidInputException",
                                                                  "ErrorMessage": f"Invalid principal: {principal}"}})
                    continue
                try:
                    glue.get_table(db, name)
                except Exception:  # noqa: BLE001 - reported per entry, as Lake Formation does
                    failures.append({"RequestEntry": e, "Error": {"ErrorCode": "EntityNotFoundException",
                                                                  "ErrorMessage": f"Table {name} not found."}})
                    continue
                # Granting what is held already succeeds and changes nothing.
                backend.grant_permissions(catalog, e["Principal"], json.loads(self.lf_key(e["Resource"])),
                                          e.get("Permissions") or [], e.get("PermissionsWithGrantOption") or [])
        return respond(start_response, 200, {"Failures": failures})

    def lakeformation_BatchRevokePermissions(self, req, environ, start_response):
        with self.lock:
            too_many = self.lf_batch(req, start_response)
            if too_many:
                return too_many
            backend, catalog, held = self.lf_grants(req)
            failures = []
            for e in req["params"].get("Entries") or []:
                key = self.lf_key(e.get("Resource"))
                have = next((p for p in held if p.principal == e.get("Principal")
                             and self.lf_key(p.resource) == key), None)
                wanted = set(e.get("Permissions") or [])
                if have is None or not wanted <= set(have.permissions):
                    failures.append({"RequestEntry": e, "Error": {
                        "ErrorCode": "InvalidInputException",
                        "ErrorMessage": "No permissions revoked. Grantee does not have the permissions to revoke."}})
                    continue
                backend.revoke_permissions(catalog, e["Principal"], have.resource, list(wanted), [])
        return respond(start_response, 200, {"Failures": failures})

    def lakeformation_ListPermissions(self, req, environ, start_response):
        p = req["params"]
        with self.lock:
            _, _, held = self.lf_grants(req)
            found = [x.to_external_form() for x in held]
        db, name = self.lf_table(p.get("Resource"))
        if db is not None:  # a Table resource: its Table and TableWithColumns permissions
            found = [x for x in found if self.lf_table(x["Resource"]) == (db, name)]
        if p.get("Principal"):
            found = [x for x in found if x["Principal"] == p["Principal"]]
        found.sort(key=lambda x: json.dumps(x, sort_keys=True))
        for x in found:
            x["Permissions"] = sorted(x["Permissions"])
            x["PermissionsWithGrantOption"] = sorted(x["PermissionsWithGrantOption"])
        start = int(p.get("NextToken") or 0)
        size = int(p.get("MaxResults") or self.LF_PAGE)
        out = {"PrincipalResourcePermissions": found[start:start + size]}
        if start + size < len(found):
            out["NextToken"] = str(start + size)
        return respond(start_response, 200, out)


def respond(start_response, status, obj, headers=()):
    body = json.dumps(obj, default=str).encode()
    start_response(f"{status} {'OK' if status == 200 else 'Error'}", [
        ("Content-Type", JSON_CT), ("Content-Length", str(len(body))), ("x-amzn-RequestId", str(uuid.uuid4())),
        *headers])
    return [body]


def athena_error(start_response, message):
    return respond(start_response, 400, {"__type": "InvalidRequestException", "Message": message},
                   [("x-amzn-ErrorType", "InvalidRequestException")])


def raw(start_response, status, headers, body):
    start_response(f"{status} Moto", headers)
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # no per-request lines; errors still go to stderr
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--ignore-stdin", action="store_true", help="do not stop when stdin reaches EOF")
    parser.add_argument("--bucket", action="append", default=[], help="create this S3 bucket at start (repeatable)")
    args = parser.parse_args()
    for bucket in args.bucket:
        s3_backends[ACCOUNT]["aws"].create_bucket(bucket, "us-east-1")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", args.port, Emulator(), threaded=True, request_handler=QuietHandler)
    if not args.ignore_stdin:
        def watch_stdin():  # the tests hold our stdin open; dropping it means "stop"
            while sys.stdin.buffer.read1(65536):
                pass
            server.shutdown()
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
