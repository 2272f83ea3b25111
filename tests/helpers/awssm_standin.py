#!/usr/bin/env python3
"""A stand-in for the AWS Secrets Manager Agent's HTTP API, for tests.

THIS IS NOT THE AWS SECRETS MANAGER AGENT, and it talks to no AWS service.
It is a small HTTP/1.1 server (Python standard library only) that answers
GetSecretValue requests as the agent (github.com/aws/aws-secretsmanager-agent)
does, from secrets held in a JSON file, so that withsecrets can be tested
without AWS.  No real client of the agent exists to check it against: the
behaviour below was taken from the agent's README and its source
(server.rs, parse.rs, cache_manager.rs, utils.rs, the caching crate's
get_secret_value_output.rs), and tests/e2e/standin_faithful.sh checks it
with curl against that (tests/helpers/STANDINS.md).

What it answers, as the agent does:

  GET /ping                              200 "healthy" (no token needed)
  GET /secretsmanager/get?secretId=ID[&versionId=V][&versionStage=S][&refreshNow=B]
  GET /v1/ID[?versionId=V&versionStage=S&refreshNow=B]   (the path style;
                                         the id is taken undecoded, as the
                                         agent takes url.path())
      200  {"ARN", "Name", "VersionId", "SecretString" | "SecretBinary"
           (base64), "VersionStages", "CreatedDate"} -- compact JSON, no
           Content-Type, CreatedDate a string of seconds with a fraction
           (serde_with's TimestampSecondsWithFrac<String>)
      400/500  {"__type":"NAME", "message":"..."} with the status AWS
           gives NAME (400 for every modelled exception, 500 for
           InternalServiceError; {"__type":"InternalFailure"} alone for an
           internal failure) -- the agent passes Secrets Manager's error on
      502  {"__type":"ConnectionError", "message":"Read Error"} and
      504  {"__type":"TimeoutError", "message":"Timeout"} (the agent's own,
           when AWS cannot be reached)
  The token: the header X-Aws-Parameters-Secrets-Token (or X-Vault-Token,
      the agent's second default ssrf_header) must equal --token; missing
      or wrong: 403 with the plain-text body "Bad Token" (the agent answers
      403 for both; it never answers 401).  X-Forwarded-For present: 400
      "Forwarded".  Checked before the method: a method other than GET is
      then 405 "Not allowed".  Another path: 404 "Not found".  A query
      parameter the agent does not know: 400 "unknown parameter: NAME";
      no secretId: 400 "missing parameter secretId"; a refreshNow other
      than true/false/1/0: 400 "invalid refreshNow value".

Assumptions, not checked against AWS: the messages of the exceptions (from
AWS's documentation and the agent's tests), the answer when versionId and
versionStage name different versions (ResourceNotFoundException), the
ARN's six-character suffix (derived from the name here).  The agent listens
on TCP only; --listen unix: is this stand-in's, for tests.

The data file (--data FILE.json):

  {
    "region": "us-east-1", "account": "123456789012",      # the defaults
    "secrets": {
      "prod/db": "the SecretString",                      # one version, AWSCURRENT
      "prod/api": {"versions": [                          # several
          {"string": "old", "stages": ["AWSPREVIOUS"]},
          {"string": "{\\"password\\": \\"new\\"}", "stages": ["AWSCURRENT"],
           "id": "a1b2c3d4-...."}]},                      # id: optional
      "prod/blob": {"binary": "aGVsbG8="},                # SecretBinary, base64
      "prod/old": {"string": "x", "deleted": true},       # InvalidRequestException
      "prod/kms": {"string": "x", "error": "DecryptionFailure"},  # any exception
      "prod/no": {"string": "x", "error": "AccessDeniedException"}
    }
  }

A secret is found by its name, its full ARN, or its partial ARN (without
the suffix).

Common command line (shared with vault_standin.py):

  --listen tcp:127.0.0.1:0 | tcp:[::1]:0 | unix:PATH   (0: a free port)
  --ready FILE     written atomically once listening, one line:
                   http://127.0.0.1:PORT or unix:PATH
  --data FILE      the secrets (above)
  --token TOKEN    the SSRF token requests must carry (required, as the
                   agent does not start without one)
  --log FILE       one JSON object a line per request: time, method, path
                   (with its query), headers, status (null when the
                   connection was closed unanswered), fault (the kind
                   applied, or null)
  --fault SPEC     repeatable: PATHPREFIX=KIND[:COUNT].  PATHPREFIX is
                   compared with the start of the path with its query
                   (the last "=" separates it from KIND, so
                   "/secretsmanager/get?secretId=prod/db=503" works).  KIND
                   is an exception name (ResourceNotFoundException,
                   AccessDeniedException, DecryptionFailure,
                   InvalidRequestException, InvalidParameterException,
                   ThrottlingException, InternalServiceError,
                   InternalFailure, ConnectionError, TimeoutError), or an
                   HTTP status: 400 ResourceNotFoundException, 403 "Bad
                   Token", 404 "Not found", 405 "Not allowed", 429
                   "Connection limit exceeded", 500 InternalFailure, 502
                   ConnectionError, 503 the agent's "Serving not enabled"
                   text, 504 TimeoutError, 204 no body (as HTTP wants),
                   any other a StandinFault body;
                   or redirect (307, Location: the same path), chunked
                   (the normal answer, Transfer-Encoding: chunked),
                   oversized (the normal answer padded past
                   --oversized-bytes), malformed (not JSON), nonstring
                   (SecretString becomes the number 42), nul
                   (SecretString gets a NUL in its middle; when it holds
                   a JSON object, each string value of it gets \\u0000),
                   slow (sleep --slow-seconds, then answer), close (close
                   the connection without answering).  COUNT: how many
                   matching requests misbehave before the path answers
                   normally (default: all).  The first spec that matches
                   and has requests left applies.
  --lifetime SEC   exit after SEC seconds (default 60); SIGTERM exits too
  --slow-seconds   (default 30), --oversized-bytes (default 8 MiB)
"""

import base64
import hashlib
import json
import os
import sys
import urllib.parse
import uuid


# ------------------------------------------------------------ common part
# The command line, the faults, the request log and the server, shared
# with the other stand-in (standin_common.py, beside this file); what
# differs it asks of this file (the hooks set at its end).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from standin_common import (Answer, State, serve, common_args,  # noqa: E402
                            use_hooks)

# ------------------------------------------------------------ AWS part

# status and message of each exception, as Secrets Manager returns them
EXCEPTIONS = {
    "ResourceNotFoundException":
        (400, "Secrets Manager can't find the specified secret."),
    "AccessDeniedException":
        (400, "User: arn:aws:sts::%(account)s:assumed-role/app/standin is "
              "not authorized to perform: secretsmanager:GetSecretValue on "
              "resource: %(id)s because no identity-based policy allows the "
              "secretsmanager:GetSecretValue action"),
    "DecryptionFailure": (400, "Access to KMS is not allowed"),
    "InvalidRequestException":
        (400, "You can't perform this operation on the secret because it "
              "was marked for deletion."),
    "InvalidParameterException":
        (400, "The parameter name or value is invalid."),
    "ThrottlingException": (400, "Rate exceeded"),
    "InternalServiceError": (500, "An error occurred on the server side."),
    "InternalFailure": (500, ""),
    "ConnectionError": (502, "Read Error"),
    "TimeoutError": (504, "Timeout"),
}
AGENT_TEXT = {
    400: None, 403: "Bad Token", 404: "Not found", 405: "Not allowed",
    429: "Connection limit exceeded",
    500: None, 502: None, 504: None,
    503: "Serving not enabled. Hit the /start_serving endpoint to enable "
         "serving requests.",
}
STATUS_EXCEPTION = {400: "ResourceNotFoundException", 500: "InternalFailure",
                    502: "ConnectionError", 504: "TimeoutError"}
SSRF_HEADERS = ("X-Aws-Parameters-Secrets-Token", "X-Vault-Token")


def dump_json(body):
    # serde_json::to_string: compact, no newline.
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def extra_fault_kind(kind):
    return kind in EXCEPTIONS


def exception_answer(name, secret_id="", account="123456789012", message=None):
    status, default = EXCEPTIONS[name]
    if message is None:
        message = default % {"account": account, "id": secret_id} \
            if "%(" in default else default
    if not message or name == "InternalFailure":
        body = b'{"__type":"InternalFailure"}'
    else:
        # The agent's err_response() writes this by hand, with a space
        # after the comma.
        body = b'{"__type":%s, "message":%s}' % (
            json.dumps(name).encode(), json.dumps(message).encode())
    return Answer(status, body)


def extra_fault_answer(kind):
    return exception_answer(kind)


def text_answer(status, text):
    return Answer(status, text.encode("utf-8"))


def error_answer(status):
    if status in STATUS_EXCEPTION:
        return exception_answer(STATUS_EXCEPTION[status])
    if AGENT_TEXT.get(status):
        return text_answer(status, AGENT_TEXT[status])
    return Answer(status, b'{"__type":"StandinFault", "message":"stand-in '
                  b'fault %d"}' % status)


def change_values(kind, answer):
    if answer.values is None or "SecretString" not in answer.values:
        return
    s = answer.values["SecretString"]
    if kind == "nonstring":
        answer.values["SecretString"] = 42
        return
    try:
        inner = json.loads(s)
    except ValueError:
        inner = None
    if isinstance(inner, dict):
        for k, v in inner.items():
            if isinstance(v, str):
                inner[k] = v[:len(v) // 2] + "\u0000" + v[len(v) // 2:]
        answer.values["SecretString"] = json.dumps(inner)
    else:
        answer.values["SecretString"] = s[:len(s) // 2] + "\u0000" + \
            s[len(s) // 2:]


def arn_suffix(name):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:6])


def arn_of(data, name):
    return "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (
        data.get("region", "us-east-1"), data.get("account", "123456789012"),
        name, arn_suffix(name))


def find_secret(data, secret_id):
    """(name, spec) for a name, a full ARN or a partial ARN; None."""
    secrets = data.get("secrets", {})
    if secret_id in secrets:
        return secret_id, secrets[secret_id]
    head = "arn:aws:secretsmanager:%s:%s:secret:" % (
        data.get("region", "us-east-1"), data.get("account", "123456789012"))
    if secret_id.startswith(head):
        rest = secret_id[len(head):]
        for name, spec in secrets.items():
            if rest == name or rest == name + "-" + arn_suffix(name):
                return name, spec
    return None


def versions_of(name, spec):
    if isinstance(spec, str):
        spec = {"string": spec}
    versions = spec.get("versions")
    if versions is None:
        versions = [dict((k, v) for k, v in spec.items()
                         if k in ("string", "binary", "id"))]
        versions[0].setdefault("stages", ["AWSCURRENT"])
    out = []
    for i, v in enumerate(versions):
        v = dict(v)
        v.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL,
                                          "%s#%d" % (name, i + 1))))
        v.setdefault("stages", [])
        v["created"] = "%d.%03d" % (1767225600 + 60 * i, 123)
        out.append(v)
    return spec, out


def get_secret_value(data, secret_id, version_id, stage):
    account = data.get("account", "123456789012")
    found = find_secret(data, secret_id)
    if found is None:
        return exception_answer("ResourceNotFoundException", secret_id, account)
    name, spec = found
    spec, versions = versions_of(name, spec)
    if spec.get("deleted"):
        return exception_answer("InvalidRequestException", secret_id, account)
    if spec.get("error"):
        return exception_answer(spec["error"], secret_id, account)
    if version_id is not None:
        chosen = [v for v in versions if v["id"] == version_id]
        if not chosen:
            return exception_answer(
                "ResourceNotFoundException", secret_id, account,
                "Secrets Manager can't find the specified secret value for "
                "VersionId: %s" % version_id)
        if stage is not None and stage not in chosen[0]["stages"]:
            return exception_answer(
                "ResourceNotFoundException", secret_id, account,
                "Secrets Manager can't find the specified secret value for "
                "VersionId: %s and staging label: %s" % (version_id, stage))
    else:
        stage = stage if stage is not None else "AWSCURRENT"
        chosen = [v for v in versions if stage in v["stages"]]
        if not chosen:
            return exception_answer(
                "ResourceNotFoundException", secret_id, account,
                "Secrets Manager can't find the specified secret value for "
                "staging label: %s" % stage)
    v = chosen[0]
    body = {"ARN": arn_of(data, name), "Name": name, "VersionId": v["id"]}
    if "string" in v:
        body["SecretString"] = v["string"]
    if "binary" in v:
        body["SecretBinary"] = base64.b64encode(
            base64.b64decode(v["binary"])).decode()
    body["VersionStages"] = v["stages"]
    body["CreatedDate"] = v["created"]
    return Answer(200, body, values=body)


def parse_refresh(value):
    if value.lower() not in ("true", "1", "false", "0"):
        raise ValueError("invalid refreshNow value")


def query_of(url, allowed):
    params = {}
    for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
        if k not in allowed:
            raise ValueError("unknown parameter: %s" % k)
        if k == "refreshNow":
            parse_refresh(v)
        params[k] = v
    return params


def agent_respond(state, method, target, headers):
    url = urllib.parse.urlsplit(target)
    if url.path == "/ping":
        return text_answer(200, "healthy")
    if "X-Forwarded-For" in headers:
        return text_answer(400, "Forwarded")
    if not any(headers.get(h) == state.args.token for h in SSRF_HEADERS):
        return text_answer(403, "Bad Token")
    if method != "GET":
        return text_answer(405, "Not allowed")
    try:
        if url.path == "/secretsmanager/get":
            q = query_of(url, ("secretId", "versionId", "versionStage",
                               "refreshNow"))
            secret_id = q.get("secretId", "")
            if not secret_id:
                return text_answer(400, "missing parameter secretId")
        elif url.path.startswith("/v1/"):
            q = query_of(url, ("versionId", "versionStage", "refreshNow"))
            secret_id = url.path[len("/v1/"):]
            if not secret_id:
                return text_answer(400, "missing secret ID")
        else:
            return text_answer(404, "Not found")
    except ValueError as e:
        return text_answer(400, str(e))
    return get_secret_value(state.data, secret_id, q.get("versionId"),
                            q.get("versionStage"))


def main():
    p = common_args("A stand-in for the AWS Secrets Manager Agent (tests "
                    "only; not the agent, no AWS).")
    p.add_argument("--token", required=True)
    args = p.parse_args()
    try:
        state = State(args)
    except (ValueError, OSError) as e:
        sys.exit("awssm_standin: %s" % e)
    return serve(state, agent_respond)


# The shared part calls back into this stand-in for what differs.
use_hooks(globals())

if __name__ == "__main__":
    sys.exit(main())
