# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pygrade_global_optspecs
    string join \n bank= python= color= sandbox= warm= h/help V/version
end

function __fish_pygrade_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pygrade_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pygrade_using_subcommand
    set -l cmd (__fish_pygrade_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pygrade -n "__fish_pygrade_needs_command" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_needs_command" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_needs_command" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_needs_command" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_needs_command" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_needs_command" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_needs_command" -s V -l version -d 'Print version'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "init" -d 'Create a learner workspace: each exercise\'s README, starter files and tests'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "list" -d 'List the exercises by module, with their last known status'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "check" -d 'Grade a workspace against the trusted exercise bank'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "demo" -d 'Grade a demo learner\'s workspace, built from the bank\'s references with instructive mistakes, to see what pygrade reports'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "batch" -d 'Grade a cohort: each learner\'s workspace (a folder, .zip or .tar.gz per learner in COHORT) against the bank, hidden tests included, into a gradebook and reports'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "merge" -d 'Combine the outputs of a batch\'s shards (`batch --shard K/N`) into the files one run over the whole cohort writes'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "hint" -d 'Show an exercise\'s next hint ("hint 2 of 3"); the workspace remembers how far you read'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "watch" -d 'Watch the workspace and grade the exercise you edit on every save, with your progress and keys for hints and the next exercise'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "next" -d 'Name the next exercise to solve (the first without full marks) and where it is'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "reset" -d 'Put an exercise\'s starter files back, keeping yours in the workspace\'s .pygrade/backups/'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "solution" -d 'Show an exercise\'s reference solution, once your own has got full marks'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "verify" -d 'Check the exercise bank itself: valid manifests, references pass, starters fail'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "setup" -d 'Create pygrade\'s Python environment (pinned pytest and mypy) now'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "doctor" -d 'Show the bank, Python, pytest, mypy and sandbox in use, and what is missing (then exit 2); then grade one reference solution end to end'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "completions" -d 'Print the completion script of a shell for pygrade, e.g. `pygrade completions bash > ~/.local/share/bash-completion/completions/pygrade`'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "man" -d 'Write pygrade\'s manual pages (pygrade.1 and one per command, such as pygrade-check.1) into DIR, e.g. `pygrade man ~/.local/share/man/man1`; without DIR, print pygrade.1'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "exercism-run" -d 'Run an Exercism exercise\'s tests as Exercism\'s Python test runner does, writing OUTPUT_DIR/results.json (interface version 3). Exits 0 whenever it ran'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "__sandbox" -d 'Internal: run one command in pygrade\'s own sandbox, as the descriptor 4 says (used by pygrade itself)'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "__zygote" -d 'Internal: a warm Python worker that forks each check\'s process (used by pygrade itself)'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "__supervise" -d 'Internal: run one contained process (used by pygrade itself)'
complete -c pygrade -n "__fish_pygrade_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pygrade -n "__fish_pygrade_using_subcommand init" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand init" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand init" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand init" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand init" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand init" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -l workspace -d 'The workspace whose grades to show (default: the one the current folder is in)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand list" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l workspace -d 'The workspace to grade (default: the one the current folder is in)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l format -d 'A report format, and the file it goes to (standard output without one); repeat it for several reports of one run: `--format terminal --format json=report.json`. Formats: terminal (the default), json, junit, markdown, github, csv, gradescope, exercism' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -s o -l output -d 'Write the one report that names no file of its own to FILE instead of standard output' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -s j -l jobs -d 'Checks run at once (default: the number of cores); a check whose code only waits gives its place to the next' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l exit-zero -d 'Exit 0 even when some learner work did not pass (pygrade\'s own errors still exit 2)'
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l hidden -d 'Also run the exercises\' hidden tests, which `init` never hands out, and grade them with the visible ones; the report says only how many of them passed'
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -l reveal -d 'Run the hidden tests and show them like the visible ones, with their names and messages (implies --hidden)'
complete -c pygrade -n "__fish_pygrade_using_subcommand check" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l workspace -d 'Build the demo workspace in DIR and keep it (default: a temporary folder, removed afterwards). Files already in DIR are kept' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l format -d 'A report format, and the file it goes to (standard output without one); repeat it for several reports of one run: `--format terminal --format json=report.json`. Formats: terminal (the default), json, junit, markdown, github, csv, gradescope, exercism' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -s o -l output -d 'Write the one report that names no file of its own to FILE instead of standard output' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -s j -l jobs -d 'Checks run at once (default: the number of cores); a check whose code only waits gives its place to the next' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand demo" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l out -d 'Where to write the gradebook, the summaries, report.html and each learner\'s reports' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -s j -l jobs -d 'Checks run at once, across learners and exercises (default: the number of cores); a check whose code only waits gives its place to the next' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l shard -d 'Grade only slice K of N of the cohort (K from 1), or `auto` to read it from GitLab, Slurm or Kubernetes (`auto/N` gives the count Kubernetes does not); `pygrade merge` combines the slices\' outputs' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l format -d 'Also write each learner\'s report in this format, as `learners/<name>.<ext>` (json and markdown are always written); repeat for several: terminal (.txt), junit (.junit.xml), github (.github.txt), csv (.csv), gradescope (.gradescope.json)' -r -f -a "terminal\t'For people at a terminal: failures first, with what to do next'
json\t'pygrade\'s own report, every detail (see the README\'s JSON schema)'
markdown\t'GitHub-flavoured Markdown, for a CI job summary ($GITHUB_STEP_SUMMARY) or a comment'
github\t'GitHub Actions workflow commands: annotations on the failing lines'
csv\t'One row per check, for a spreadsheet'
junit\t'JUnit XML, for CI test reporters: a suite per exercise, a case per test or check'
gradescope\t'A Gradescope autograder\'s `results.json`: a test per check of each exercise'
exercism\t'An Exercism test runner\'s `results.json` (interface version 3), of one exercise'"
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l diff -d 'Say whose scores changed since the batch that wrote PREVIOUS_OUT, and why' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l no-cache -d 'Grade everything again, ignoring the grades kept from earlier runs (they are replaced)'
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -l reveal -d 'Show the hidden tests in the learners\' reports with their names and messages (by default the reports say only how many passed, so they can be handed to learners)'
complete -c pygrade -n "__fish_pygrade_using_subcommand batch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -l out -d 'The folder to write the combined files to' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand merge" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l workspace -d 'The workspace that remembers the hints shown (default: the one around the current folder)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -l all -d 'Show every hint at once'
complete -c pygrade -n "__fish_pygrade_using_subcommand hint" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l workspace -d 'The workspace (default: the one around the current folder)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -l poll -d 'Look for changes every 0.3 s instead of waiting for the system\'s file events (for network file systems, some containers and WSL)'
complete -c pygrade -n "__fish_pygrade_using_subcommand watch" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l workspace -d 'The workspace (default: the one around the current folder)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -l path -d 'Print only the exercise\'s folder, for `cd "$(pygrade next --path)"`'
complete -c pygrade -n "__fish_pygrade_using_subcommand next" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -l workspace -d 'The workspace (default: the one around the current folder)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand reset" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -l workspace -d 'The workspace (default: the one around the current folder)' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand solution" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -s j -l jobs -d 'Checks run at once (default: the number of cores); a check whose code only waits gives its place to the next' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l sample -d 'With --mutants, grade at most N mutants of each exercise: the same ones every run' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l json -d 'Also write the findings as JSON to FILE: each exercise\'s problems, points and mutants, for dashboards and authoring tools' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -l mutants -d 'Grade mutants of each reference (one small mistake each) and require the tests to kill at least 90% of those not marked equivalent'
complete -c pygrade -n "__fish_pygrade_using_subcommand verify" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -l print-python -d 'Print only the interpreter\'s path (for scripts that run the pinned tools)'
complete -c pygrade -n "__fish_pygrade_using_subcommand setup" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand doctor" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand doctor" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand doctor" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand doctor" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand doctor" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand completions" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand completions" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand completions" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand completions" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand completions" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand completions" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand man" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand man" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand man" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand man" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand man" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand man" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -l timeout -d 'The longest the tests may run (Exercism\'s limit is 20 s)' -r
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand exercism-run" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand __sandbox" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand __sandbox" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand __sandbox" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __sandbox" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __sandbox" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __sandbox" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand __zygote" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand __zygote" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __zygote" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __zygote" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __zygote" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand __supervise" -l bank -d 'Use the exercise bank in DIR instead of the built-in one' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand __supervise" -l python -d 'Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade\'s own environment' -r -F
complete -c pygrade -n "__fish_pygrade_using_subcommand __supervise" -l color -d 'When to colour the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __supervise" -l sandbox -d 'How to contain learner code: pygrade\'s own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none' -r -f -a "auto\t''
builtin\t''
bwrap\t''
none\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __supervise" -l warm -d 'Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner\'s exercises together (`--warm false` starts a fresh one for every check)' -r -f -a "true\t''
false\t''"
complete -c pygrade -n "__fish_pygrade_using_subcommand __supervise" -s h -l help -d 'Print help'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "init" -d 'Create a learner workspace: each exercise\'s README, starter files and tests'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "list" -d 'List the exercises by module, with their last known status'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "check" -d 'Grade a workspace against the trusted exercise bank'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "demo" -d 'Grade a demo learner\'s workspace, built from the bank\'s references with instructive mistakes, to see what pygrade reports'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "batch" -d 'Grade a cohort: each learner\'s workspace (a folder, .zip or .tar.gz per learner in COHORT) against the bank, hidden tests included, into a gradebook and reports'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "merge" -d 'Combine the outputs of a batch\'s shards (`batch --shard K/N`) into the files one run over the whole cohort writes'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "hint" -d 'Show an exercise\'s next hint ("hint 2 of 3"); the workspace remembers how far you read'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "watch" -d 'Watch the workspace and grade the exercise you edit on every save, with your progress and keys for hints and the next exercise'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "next" -d 'Name the next exercise to solve (the first without full marks) and where it is'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "reset" -d 'Put an exercise\'s starter files back, keeping yours in the workspace\'s .pygrade/backups/'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "solution" -d 'Show an exercise\'s reference solution, once your own has got full marks'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "verify" -d 'Check the exercise bank itself: valid manifests, references pass, starters fail'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "setup" -d 'Create pygrade\'s Python environment (pinned pytest and mypy) now'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "doctor" -d 'Show the bank, Python, pytest, mypy and sandbox in use, and what is missing (then exit 2); then grade one reference solution end to end'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "completions" -d 'Print the completion script of a shell for pygrade, e.g. `pygrade completions bash > ~/.local/share/bash-completion/completions/pygrade`'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "man" -d 'Write pygrade\'s manual pages (pygrade.1 and one per command, such as pygrade-check.1) into DIR, e.g. `pygrade man ~/.local/share/man/man1`; without DIR, print pygrade.1'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "exercism-run" -d 'Run an Exercism exercise\'s tests as Exercism\'s Python test runner does, writing OUTPUT_DIR/results.json (interface version 3). Exits 0 whenever it ran'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "__sandbox" -d 'Internal: run one command in pygrade\'s own sandbox, as the descriptor 4 says (used by pygrade itself)'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "__zygote" -d 'Internal: a warm Python worker that forks each check\'s process (used by pygrade itself)'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "__supervise" -d 'Internal: run one contained process (used by pygrade itself)'
complete -c pygrade -n "__fish_pygrade_using_subcommand help; and not __fish_seen_subcommand_from init list check demo batch merge hint watch next reset solution verify setup doctor completions man exercism-run __sandbox __zygote __supervise help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
