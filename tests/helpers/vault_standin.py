#!/usr/bin/env python3
"""A stand-in for a Vault Agent (or Vault Proxy) API listener, for tests.

THIS IS NOT VAULT.  It is a small HTTP/1.1 server (Python standard library
only) that answers the few requests withsecrets makes of a Vault Agent
running with `cache { use_auto_auth_token = true }` (or a Vault Proxy with
`api_proxy { use_auto_auth_token = true }`): KV version 2 and version 1
reads.  It holds no real secret, does no authentication beyond comparing a
header with a fixed string, and must never be pointed at by anything but a
test.  tests/e2e/standin_faithful.sh checks it against a real client,
Debian's python3-hvac (tests/helpers/STANDINS.md says what was checked and
what was not).

What it answers, following Vault's HTTP API documentation:

  GET /v1/MOUNT/data/PATH[?version=N]   KV version 2 (a mount with "version": 2)
      200  {"request_id", "lease_id": "", "renewable": false,
            "lease_duration": 0, "data": {"data": {...}, "metadata":
            {"created_time", "custom_metadata", "deletion_time",
            "destroyed", "version"}}, "wrap_info": null, "warnings": null,
            "auth": null, "mount_type": "kv"}
      404  {"errors": []}             no such secret, or no such version
      404  the envelope with data.data null and the metadata's
           deletion_time set (deleted) or destroyed true (destroyed), as
           Vault answers for a deleted or destroyed version
      400  {"errors": [...]}          ?version= not an integer
  GET /v1/MOUNT/PATH                     KV version 1 (a mount with "version": 1)
      200  the same envelope, "data" the secret's keys, lease_duration
           2764800 (Vault's default 768h for a KV v1 read)
      404  {"errors": []}
  A KV v2 mount read without its data/ segment answers 404 with Vault's
  warning "Invalid path for a versioned K/V secrets engine ...".
  A path under no mount: 404 {"errors": ["no handler for route ..."]}.
  A method other than GET: 405.
  A path denied by the data file's "deny" list: 403
      {"errors": ["1 error occurred:\\n\\t* permission denied\\n\\n"]}.
  --require-token TOKEN: a request whose X-Vault-Token is not TOKEN
      answers 403 {"errors": ["permission denied"]}: for a client such
      as hvac, which sends the token it is given.  withsecrets sends
      none (the agent adds its own): leave the option out for it.
  --require-request-header: a request without exactly one
      "X-Vault-Request: true" answers 412 {"errors": ["missing
      \"X-Vault-Request\" header"]}, as a Vault Agent listener with
      require_request_header = true does (command/agent.go,
      verifyRequestHeader).
  X-Vault-Namespace: the namespace (data file "namespaces"); a namespace
      may also lead the path (/v1/team-a/secret/data/app), as Vault
      allows; the two combine (header "team-a", path "sub/...").  An
      unknown namespace answers 404 "no handler for route".

Assumptions, not checked against a real Vault (none runs here): the
lease_duration of a KV v1 read, the body of a read of a v2 mount
without data/, the "mount_type" field (newer Vault versions send
it), the answer for an unknown namespace.

The data file (--data FILE.json):

  {
    "mounts": {
      "secret": {"version": 2, "secrets": {
          "app/production": {"DB_PASSWORD": "s3cret"},       # one version
          "app/rotated": [                                    # versions 1, 2, 3
              {"data": {"K": "old"}},
              {"data": {"K": "gone"}, "deleted": true},
              {"data": {"K": "new"}, "custom_metadata": {"owner": "ops"}}
          ]}},
      "kv": {"version": 1, "secrets": {"legacy/app": {"K": "v"}}}
    },
    "deny": ["secret/data/forbidden"],            # path prefixes answering 403
    "namespaces": {                               # full namespace path -> the same
      "team-a": {"mounts": {...}, "deny": [...]}  # shape as the top level
    }
  }

A v2 secret is a list of versions (oldest first), each {"data": {...}} with
optional "deleted", "destroyed" (booleans) and "custom_metadata"; an
object instead of a list is one live version holding that data.  Values
may be any JSON (a number or an object tests a client's refusal); a
string may hold any character, "\\u0000" included.

Common command line (shared with awssm_standin.py):

  --listen tcp:127.0.0.1:0 | tcp:[::1]:0 | unix:PATH   (0: a free port)
  --ready FILE     written atomically once listening, one line:
                   http://127.0.0.1:PORT or unix:PATH
  --data FILE      the secrets (above)
  --log FILE       one JSON object a line per request: time, method, path
                   (with its query), headers, status (null when the
                   connection was closed unanswered), fault (the kind
                   applied, or null)
  --fault SPEC     repeatable: PATHPREFIX=KIND[:COUNT].  PATHPREFIX is
                   compared with the start of the path with its query
                   (the last "=" separates it from KIND).  KIND is an HTTP
                   status (Vault's error body for it; 204 has no body,
                   as HTTP wants), or redirect (307,
                   Location: the same path), chunked (the normal answer,
                   Transfer-Encoding: chunked), oversized (the normal
                   answer padded past --oversized-bytes), malformed (not
                   JSON), nonstring (each value of the secret becomes the
                   number 42), nul (each string value gets a \\u0000 in its
                   middle), slow (sleep --slow-seconds, then answer), close
                   (close the connection without answering).  COUNT: how
                   many matching requests misbehave before the path
                   answers normally (default: all).  The first spec that
                   matches and has requests left applies.
  --lifetime SEC   exit after SEC seconds (default 60); SIGTERM exits too
  --slow-seconds   (default 30), --oversized-bytes (default 8 MiB)
"""

import datetime
import json
import os
import sys
import urllib.parse
import uuid

KV1_LEASE = 2764800
PERMISSION_DENIED = "1 error occurred:\n\t* permission denied\n\n"
V2_BAD_PATH = ("Invalid path for a versioned K/V secrets engine. See the API "
               "docs for the appropriate API endpoints to use. If using the "
               "Vault CLI, use 'vault kv get' for this operation.")

# ------------------------------------------------------------ common part
# The command line, the faults, the request log and the server, shared
# with the other stand-in (standin_common.py, beside this file); what
# differs it asks of this file (the hooks set at its end).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from standin_common import (Answer, State, serve, common_args,  # noqa: E402
                            use_hooks)

# ------------------------------------------------------------ Vault part


def dump_json(body):
    # Compact, one line and a newline, as Go's encoding/json writes it.
    return json.dumps(body, separators=(",", ":")).encode("utf-8") + b"\n"


def extra_fault_kind(kind):
    return False


def extra_fault_answer(kind):
    raise AssertionError(kind)


VAULT_ERRORS = {
    400: "invalid request",
    403: PERMISSION_DENIED,
    404: None,
    405: "1 error occurred:\n\t* unsupported operation\n\n",
    412: "required index state not present",
    429: "request path \"secret/data\": rate limit quota exceeded",
    500: "1 error occurred:\n\t* internal error\n\n",
    502: "1 error occurred:\n\t* error proxying request to Vault\n\n",
    503: "Vault is sealed",
}


def error_answer(status, *messages):
    """Vault's error body: {"errors": [...]}, empty for a plain 404."""
    if not messages:
        m = VAULT_ERRORS.get(status, "stand-in fault %d" % status)
        messages = () if m is None else (m,)
    return Answer(status, {"errors": list(messages)},
                  {"Content-Type": "application/json",
                   "Cache-Control": "no-store"})


def change_values(kind, answer):
    if answer.values is None:
        return
    for k in list(answer.values):
        v = answer.values[k]
        if kind == "nonstring":
            answer.values[k] = 42
        elif isinstance(v, str):
            answer.values[k] = v[:len(v) // 2] + "\u0000" + v[len(v) // 2:]


def envelope(data, lease_duration=0, warnings=None):
    return {
        "request_id": str(uuid.uuid4()),
        "lease_id": "",
        "renewable": False,
        "lease_duration": lease_duration,
        "data": data,
        "wrap_info": None,
        "warnings": warnings,
        "auth": None,
        "mount_type": "kv",
    }


def ok_answer(status, body, values=None):
    return Answer(status, body, {"Content-Type": "application/json",
                                 "Cache-Control": "no-store"}, values)


def versions_of(secret):
    if isinstance(secret, list):
        return secret
    return [{"data": secret}]


def timestamp(n):
    t = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(minutes=n)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")


def read_kv2(mount, key, query):
    version = 0
    if "version" in query:
        raw = query["version"][-1]
        try:
            version = int(raw)
        except ValueError:
            return error_answer(400, "error converting input %s for field "
                                "\"version\": cannot parse '%s' as int"
                                % (raw, raw))
    secret = mount.get("secrets", {}).get(key)
    if secret is None:
        return error_answer(404)
    versions = versions_of(secret)
    if version <= 0:
        version = len(versions)
    if version > len(versions):
        return error_answer(404)
    v = versions[version - 1]
    deleted = bool(v.get("deleted"))
    destroyed = bool(v.get("destroyed"))
    metadata = {
        "created_time": timestamp(version),
        "custom_metadata": v.get("custom_metadata"),
        "deletion_time": timestamp(version + 1) if deleted else "",
        "destroyed": destroyed,
        "version": version,
    }
    if deleted or destroyed:
        return ok_answer(404, envelope({"data": None, "metadata": metadata}))
    values = json.loads(json.dumps(v.get("data", {})))  # a copy to change
    return ok_answer(200, envelope({"data": values, "metadata": metadata}),
                     values)


def read_kv1(mount, key):
    secret = mount.get("secrets", {}).get(key)
    if secret is None:
        return error_answer(404)
    values = json.loads(json.dumps(secret))
    return ok_answer(200, envelope(values, KV1_LEASE), values)


def vault_respond(state, method, target, headers):
    args = state.args
    if args.require_request_header and \
            headers.get_all("X-Vault-Request", []) != ["true"]:
        return error_answer(412, 'missing "X-Vault-Request" header')
    if args.require_token is not None and \
            headers.get("X-Vault-Token") != args.require_token:
        return error_answer(403, "permission denied")
    url = urllib.parse.urlsplit(target)
    path = urllib.parse.unquote(url.path)
    if not path.startswith("/v1/"):
        return error_answer(404)
    if method != "GET":
        return error_answer(405)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    spaces = state.data.get("namespaces", {})
    ns = headers.get("X-Vault-Namespace", "").strip("/")
    segs = [s for s in path[len("/v1/"):].split("/")]
    if ns and ns not in spaces:
        return error_answer(404, "no handler for route \"%s/%s\". route entry "
                            "not found." % (ns, "/".join(segs)))
    while len(segs) > 1 and (ns + "/" + segs[0]).strip("/") in spaces:
        ns = (ns + "/" + segs.pop(0)).strip("/")
    where = spaces[ns] if ns else state.data
    rel = "/".join(segs)
    for prefix in where.get("deny", []):
        if rel.startswith(prefix):
            return error_answer(403)
    mounts = where.get("mounts", {})
    name = None
    for m in mounts:
        if (rel == m or rel.startswith(m + "/")) and \
                (name is None or len(m) > len(name)):
            name = m
    if name is None:
        return error_answer(404, "no handler for route \"%s\". route entry "
                            "not found." % rel)
    mount = mounts[name]
    sub = rel[len(name) + 1:]
    if mount.get("version", 1) == 2:
        if sub.startswith("data/") and len(sub) > len("data/"):
            return read_kv2(mount, sub[len("data/"):], query)
        return ok_answer(404, envelope(None, warnings=[V2_BAD_PATH]))
    return read_kv1(mount, sub)


def main():
    p = common_args("A stand-in for a Vault Agent API listener (tests only; "
                    "not Vault).")
    p.add_argument("--require-token")
    p.add_argument("--require-request-header", action="store_true")
    args = p.parse_args()
    try:
        state = State(args)
    except (ValueError, OSError) as e:
        sys.exit("vault_standin: %s" % e)
    return serve(state, vault_respond)


# The shared part calls back into this stand-in for what differs.
use_hooks(globals())

if __name__ == "__main__":
    sys.exit(main())
