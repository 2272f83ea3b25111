# fish completion for withsecrets(1).  Installed into vendor_completions.d
# by "make install"; or copy it to ~/.config/fish/completions/.

# True until "--" is on the line: after it come the command and its words.
function __withsecrets_before_command
    not contains -- -- (commandline -opc)[2..-1]
end

# True when no verb has been given yet.
function __withsecrets_no_verb
    set -l words (commandline -opc)
    test (count $words) -eq 1
end

function __withsecrets_verb_is
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test "$words[2]" = $argv[1]
end

# The command and its own completions, after "--".
function __withsecrets_command
    set -l words (commandline -opc)
    set -l i (contains -i -- -- $words)
    set -l rest $words[(math $i + 1)..-1] (commandline -ct)
    if test (count $rest) -le 1
        __fish_complete_command
    else
        complete -C (string join -- ' ' (string escape -- $rest))
    end
end

# Variable names for "explain": the environment's and the keys of the .env
# files in the directory given by -C (default: the current one).
function __withsecrets_names
    set -l dir .
    set -l words (commandline -opc)
    for i in (seq (count $words))
        switch $words[$i]
            case -C --dir
                set -l j (math $i + 1)
                test $j -le (count $words); and set dir $words[$j]
            case '--dir=*'
                set dir (string replace -- --dir= '' $words[$i])
        end
    end
    set -xn
    for f in $dir/.env $dir/.env.*
        test -f $f -a -r $f; or continue
        string replace -rf '^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=.*' '$1' <$f
    end
end

complete -c withsecrets -f
complete -c withsecrets -n __withsecrets_no_verb -a check -d 'resolve and check, exec nothing'
complete -c withsecrets -n __withsecrets_no_verb -a explain -d 'where each variable comes from'
complete -c withsecrets -n __withsecrets_no_verb -a defaults -d 'print the built-in policy'
complete -c withsecrets -n __withsecrets_no_verb -a gen -d 'generate the missing secrets'
complete -c withsecrets -n __withsecrets_no_verb -a -- -d 'then the command'
complete -c withsecrets -n '__withsecrets_verb_is explain; and __withsecrets_before_command' -a '(__withsecrets_names)'
complete -c withsecrets -n '__withsecrets_verb_is gen; and __withsecrets_before_command' -a '(__withsecrets_names)'
complete -c withsecrets -n '__withsecrets_verb_is gen' -l dry-run -d 'say what would be written, write nothing'
complete -c withsecrets -n '__withsecrets_verb_is gen' -l force -d 'replace the NAMEs given even when set'
complete -c withsecrets -n '__withsecrets_verb_is gen' -l mode -x -a '0600 0400' -d 'mode of the files written'
complete -c withsecrets -n 'not __withsecrets_before_command' -a '(__withsecrets_command)'

set -l opt "not __withsecrets_verb_is defaults; and __withsecrets_before_command"
complete -c withsecrets -n $opt -s f -l env-file -r -F -d 'load FILE as a layer'
complete -c withsecrets -n $opt -s C -l dir -x -a '(__fish_complete_directories)' -d 'where the .env layers and withsecrets.ini are'
complete -c withsecrets -n $opt -l no-layers -d 'do not load .env, .env.local, .env.ENV ...'
complete -c withsecrets -n $opt -s e -l environment -x -a 'development production staging test' -d 'the environment name'
complete -c withsecrets -n $opt -s s -l secrets-dir -x -a '(__fish_complete_directories)' -d 'add a secrets directory'
complete -c withsecrets -n $opt -l no-default-secrets-dirs -d 'only the --secrets-dir directories'
complete -c withsecrets -n $opt -s c -l config -r -F -d 'the policy file'
complete -c withsecrets -n $opt -l no-config -d 'only the built-in policy'
complete -c withsecrets -n $opt -s i -l clean -d 'start from an empty environment (keep list)'
complete -c withsecrets -n $opt -s k -l keep -x -a '(set -xn)' -d 'with --clean, also keep these'
complete -c withsecrets -n $opt -s u -l unset -x -a '(set -xn)' -d 'remove NAME'
complete -c withsecrets -n $opt -s o -l override -d '.env files override the inherited environment'
complete -c withsecrets -n $opt -l strict -d 'strict rules whatever the environment name'
complete -c withsecrets -n $opt -l lenient -d 'lenient rules whatever the environment name'
complete -c withsecrets -n $opt -l format -x -a 'text json' -d 'output of check and explain'
complete -c withsecrets -n $opt -l audit -x -a 'off journal syslog' -d 'the audit record of an exec'
complete -c withsecrets -n $opt -l offline -d 'check: do not ask the secret stores'
complete -c withsecrets -n $opt -s q -l quiet -d 'fewer messages'
complete -c withsecrets -n $opt -s v -l verbose -d 'more messages'
complete -c withsecrets -n $opt -l init -d 'stay as the parent: forward signals, reap children'
complete -c withsecrets -n $opt -l init-group -d '--init, signals to the command process group'
complete -c withsecrets -n $opt -l watch -d '--init; on a change, re-check and restart'
complete -c withsecrets -n $opt -l on-change -x -a 'restart exit signal:HUP signal:USR1 signal:USR2' -d 'what a change does'
complete -c withsecrets -n $opt -l kill-timeout -x -d 'SIGKILL this long after SIGTERM'
complete -c withsecrets -n $opt -l watch-delay -x -d 'quiet time before a change is read'
complete -c withsecrets -n $opt -l watch-interval -x -d 're-read store references (once stores exist)'
complete -c withsecrets -n __withsecrets_before_command -s h -l help -d 'show the usage'
complete -c withsecrets -n __withsecrets_no_verb -s V -l version -d 'show the version'
