/*
 * The policy: built-in settings (replaced by the INI policy of
 * config.c) and the secret classification.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"

struct ws_policy {
	struct ws_settings set;
};

static char **
split_words(const char *s)
{
	char **list = NULL, *copy = ws_xstrdup(s), *tok, *save = NULL;
	size_t n = 0;

	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		list = ws_xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = ws_xstrdup(tok);
		list[n] = NULL;
	}
	free(copy);
	if (list == NULL)
		list = ws_xcalloc(1, sizeof(*list));
	return list;
}

static void
free_words(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

int
ws_policy_load(struct ws_run *run)
{
	struct ws_policy *p = ws_xcalloc(1, sizeof(*p));
	struct ws_settings *s = &p->set;

	s->environment_vars = split_words("ENVIRONMENT APP_ENV NODE_ENV");
	s->lenient_environments = split_words("development dev local test");
	s->secrets_dirs = split_words("/run/secrets");
	s->keep = split_words("PATH HOME LANG LC_* TZ TERM USER LOGNAME");
	s->deny = split_words("LD_* BASH_FUNC_* BASH_ENV ENV IFS GCONV_PATH");
	s->ignore_file_vars = split_words("");
	s->file_vars = WS_FILE_VARS_ALL;
	s->max_secret_size = WS_MAX_SECRET_SIZE_DEFAULT;
	s->plaintext_secrets = WS_PLAINTEXT_WARN;
	run->policy = p;
	run->set = s;
	return 0;
}

void
ws_policy_free(struct ws_run *run)
{
	struct ws_settings *s;

	if (run->policy == NULL)
		return;
	s = &run->policy->set;
	free_words(s->environment_vars);
	free_words(s->lenient_environments);
	free_words(s->secrets_dirs);
	free_words(s->keep);
	free_words(s->deny);
	free_words(s->ignore_file_vars);
	free(s->example);
	free(run->policy);
	run->policy = NULL;
	run->set = NULL;
}

int
ws_policy_declares_file_var(struct ws_run *run, const char *name, size_t n)
{
	(void)run;
	(void)name;
	(void)n;
	return 0;
}

int
ws_policy_declared(struct ws_run *run, const char *name, size_t n)
{
	(void)run;
	(void)name;
	(void)n;
	return 0;
}

static int
contains(const char *name, const char *word)
{
	return strstr(name, word) != NULL;
}

int
ws_policy_is_secret(struct ws_run *run, const struct ws_var *v)
{
	const char *n = v->name;

	(void)run;
	if ((v->flags & (WS_VAR_SECRET | WS_VAR_FROM_FILE)) ||
	    v->src->kind == WS_KIND_SECRET_DIR)
		return 1;
	if (contains(n, "SECRET") || contains(n, "PASSWORD") ||
	    contains(n, "PASSWD") || contains(n, "TOKEN") ||
	    contains(n, "PRIVATE") || contains(n, "CREDENTIAL"))
		return 1;
	if (v->namelen > 4 && strcmp(n + v->namelen - 4, "_KEY") == 0)
		return 1;
	return strcmp(n, "DATABASE_URL") == 0 || strcmp(n, "REDIS_URL") == 0;
}

int
ws_policy_defaults_load(struct ws_run *run)
{
	(void)run;
	return 0;
}

int
ws_policy_check(struct ws_run *run)
{
	(void)run;
	return 0;
}

int
ws_defaults_print(void)
{
	fputs("[withsecrets]\n"
	    "environment-vars = ENVIRONMENT APP_ENV NODE_ENV\n"
	    "lenient-environments = development dev local test\n"
	    "secrets-dirs = /run/secrets\n"
	    "keep = PATH HOME LANG LC_* TZ TERM USER LOGNAME\n"
	    "deny = LD_* BASH_FUNC_* BASH_ENV ENV IFS GCONV_PATH\n"
	    "file-vars = all\n"
	    "max-secret-size = 65536\n", stdout);
	return fflush(stdout) == 0 ? 0 : WS_EX_SOFTWARE;
}
