# WS_CHECK_CFLAG(FLAG, VARIABLE): append FLAG to VARIABLE when the C
# compiler accepts it (with -Werror, so a warning counts as "no").
AC_DEFUN([WS_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([ws_cv], [ws_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [ws_cv], [
    ws_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([ws_cv], [yes])], [AS_VAR_SET([ws_cv], [no])])
    CFLAGS=$ws_save_CFLAGS])
  AS_VAR_IF([ws_cv], [yes], [$2="$$2 $1"])
  AS_VAR_POPDEF([ws_cv])
])

# WS_CHECK_LDFLAG(FLAG, VARIABLE): the same for the linker.
AC_DEFUN([WS_CHECK_LDFLAG], [
  AS_VAR_PUSHDEF([ws_cv], [ws_cv_ldflag_$1])
  AC_CACHE_CHECK([whether the linker accepts $1], [ws_cv], [
    ws_save_LDFLAGS=$LDFLAGS
    LDFLAGS="$LDFLAGS -Werror $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([ws_cv], [yes])], [AS_VAR_SET([ws_cv], [no])])
    LDFLAGS=$ws_save_LDFLAGS])
  AS_VAR_IF([ws_cv], [yes], [$2="$$2 $1"])
  AS_VAR_POPDEF([ws_cv])
])
