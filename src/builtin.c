/*
 * The built-in policy: an INI text like any withsecrets.ini, parsed by
 * the same code, printed by `withsecrets defaults`.  A user's file is
 * layered over it.  Lines stay short enough for any libinih build
 * (its default line buffer is 200 bytes); long lists continue on
 * indented lines.
 */
#include "config.h"


#include "withsecrets.h"
#include "out.h"
#include "frozen.h"

const char ws_builtin_policy[] =
"; The built-in policy of withsecrets (`withsecrets defaults`).\n"
"; A withsecrets.ini is layered over it: a key it sets replaces the\n"
"; built-in one.  See withsecrets.conf(5).\n"
"\n"
"[withsecrets]\n"
"environment-vars     = ENVIRONMENT APP_ENV NODE_ENV\n"
"lenient-environments = development dev local test testing\n"
"default-environment  = development\n"
"export-environment   = yes\n"
"secrets-dirs         = /run/secrets\n"
"keep                 = PATH HOME LANG LC_* TZ TERM USER LOGNAME\n"
"deny                 = LD_* BASH_FUNC_* BASH_ENV ENV IFS GCONV_PATH\n"
"ignore-file-vars     =\n"
"file-vars            = all\n"
"max-secret-size      = 65536\n"
"example              = .env.example\n"
"plaintext-secrets    = warn\n"
"audit                = off\n"
"audit-required       = no\n"
"\n"
"[defaults]\n"
"\n"
"; Secrets by name; so is every value from a secret directory or a\n"
"; NAME_FILE.\n"
"[var *SECRET* *PASSWORD* *PASSWD* *TOKEN* *PRIVATE* *CREDENTIAL* *_KEY "
"DATABASE_URL REDIS_URL]\n"
"secret = yes\n"
"\n"
"; Paths that say where secrets are rather than holding one: systemd's\n"
"; credentials and the cloud clients' own.  (The *_FILE paths programs\n"
"; read themselves need no section: a glob's secret = yes never makes a\n"
"; name of the NAME_FILE form a secret, only its source can.)\n"
"[var CREDENTIALS_DIRECTORY GOOGLE_APPLICATION_CREDENTIALS]\n"
"secret = no\n"
"[var AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
"AWS_CONTAINER_CREDENTIALS_FULL_URI]\n"
"secret = no\n"
"\n"
"; Debug switches: a true value (true 1 yes on) is refused.\n"
"[var DEBUG FLASK_DEBUG DJANGO_DEBUG APP_DEBUG]\n"
"debug = yes\n"
"\n"
"; Signing keys: long, random, each its own.\n"
"[var SECRET_KEY *_SECRET_KEY *_SECRET]\n"
"min-length = 32\n"
"distinct   = yes\n"
"\n"
"; Passwords: DB_PASSWORD, PGPASSWORD, ...\n"
"[var *PASSWORD]\n"
"min-length = 20\n"
"\n"
"; What `withsecrets gen` writes when one is missing (hex:N bytes,\n"
"; base64url:N bytes, alnum:N characters, or no); other secrets, API\n"
"; keys for one, are listed to be set by hand.\n"
"[var SECRET_KEY *_SECRET_KEY SESSION_SECRET JWT_SECRET* *_SIGNING_KEY "
"*_ENCRYPTION_KEY]\n"
"generate = hex:32\n"
"\n"
"; Passwords safe inside URLs: no + / = @ :\n"
"[var *PASSWORD *PASSWD]\n"
"generate = alnum:32\n"
"\n"
"; Values no secret may have: whole values, in any case, and globs\n"
"; (the templates of .env.example files).  None matches a random value:\n"
"; openssl rand -hex 32 or -base64 32, withsecrets gen, a UUID.  A\n"
"; user's list adds to these; !ITEM removes one.\n"
"[placeholders]\n"
"values   = changeme change-me change_me changeit password passw0rd\n"
"           secret secretkey secret-key secret_key mysecret supersecret\n"
"           default example sample test testing dummy placeholder\n"
"           todo tbd fixme xxx xxxx xxxxxx null none undefined\n"
"           admin root 123456 12345678 qwerty letmein\n"
"           admin123 password123 password1 secret123 pass123 12345\n"
"           123456789 1234567890 abc123 s3cr3t p@ssw0rd\n"
"patterns = your_*_here your-*-here *change*for*production*\n"
"           *changeme* *change_me* *change-me* <*> dev-* *insecure*\n"
"           your-* your_* *-your-* *_your_* *://user:pass@*\n"
"           *://user:password@* *://username:password@* *host:port*\n"
"           xxxxxxxx* *-xxxxxxxx* *_xxxxxxxx*\n";

/* 0, or -1 when it could not be written. */
int
ws_defaults_print(void)
{
	ws_out_str(&ws_stdout, ws_builtin_policy);
	return ws_out_flush(&ws_stdout);
}
