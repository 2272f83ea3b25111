# Vault Agent beside an application started by withsecrets (SPEC §13).
#
# The agent logs in to Vault by itself (auto_auth), keeps its token
# renewed, and serves Vault's API to local clients with that token added
# (use_auto_auth_token): withsecrets holds no Vault token, no TLS and no
# login code.  It reaches the agent over the Unix socket below
#
#     VAULT_AGENT_ADDR=unix:/run/vault/agent.sock
#
# or the loopback port (VAULT_AGENT_ADDR=http://127.0.0.1:8100), and reads
# references such as DB_PASSWORD=vault:secret/data/app/production#db_password.
#
# Run it as:  vault agent -config=/etc/vault.d/agent.hcl
# (contrib/systemd/vault-agent.service).  Vault 1.14 and later also offer
# the API proxy as `vault proxy` with api_proxy { use_auto_auth_token =
# true }; the cache stanza below is the form every Vault Agent release
# reads.
#
# tests/e2e/contrib_stores.sh checks this file (balanced, the stanzas it
# must have).

vault {
  # The Vault server, over TLS: the agent's side of the connection.
  address = "https://vault.example.com:8200"
}

auto_auth {
  # AppRole on a machine; in Kubernetes, the pod's service account
  # (method "kubernetes", contrib/kubernetes/vault-agent-sidecar.yaml).
  method "approle" {
    mount_path = "auth/approle"
    config = {
      role_id_file_path                   = "/etc/vault.d/role_id"
      secret_id_file_path                 = "/etc/vault.d/secret_id"
      remove_secret_id_file_after_reading = false
    }
  }
}

# Requests without a token of their own get the auto_auth token.
cache {
  use_auto_auth_token = true
}

# The Unix socket: only the agent's user and group may connect (the
# application's user is put in that group).  withsecrets sends
# X-Vault-Request: true, so the listeners can demand it: a page tricked
# into fetching a URL (SSRF) cannot add that header.
listener "unix" {
  address                = "/run/vault/agent.sock"
  tls_disable            = true
  socket_mode            = "0660"
  require_request_header = true
}

# The loopback port, for clients that cannot use a socket.  Plain HTTP is
# fine on loopback: the traffic never leaves the machine.  Never bind it
# to another address.
listener "tcp" {
  address                = "127.0.0.1:8100"
  tls_disable            = true
  require_request_header = true
}
