//! The `iamlint` command: parse flags, run, print, exit 0 (clean), 1 (findings) or 2 (usage/IO).

use std::collections::HashSet;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::{Cli, Command};
use iamlint::settings::{ColorChoice, Format};
use iamlint::{output, rules, settings};

/// Linting allocates many small strings and trees per file on every worker thread; mimalloc's
/// per-thread heaps measured faster than the system allocator on the managed-policies corpus.
/// Built with `no_thp` (Cargo.toml): asked for transparent huge pages, the kernel zeroed a whole
/// 2 MiB page on the first allocation, 40 % of a one-file run (ReadOnlyAccess.json: 8.5 ms ->
/// 7.1 ms; one CloudFormation template: 3.6 ms -> 2.6 ms; the large tree: no slower, peak 236 ->
/// 215 MiB).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // libyaml-safer still panics on some malformed input; the YAML reader catches those panics
    // and reports a syntax error, so their messages stay off stderr. Other panics print as usual.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !iamlint::syntax::yaml::in_parser() {
            previous(info);
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Rules) => match settings::resolve(cli.lint.options()) {
            Ok(s) => print(&rules_table(&s.known)),
            Err(e) => {
                eprintln!("iamlint: {e}");
                ExitCode::from(2)
            }
        },
        Some(Command::Explain { rule }) => {
            if let Some(r) = settings::resolve(cli.lint.options())
                .ok()
                .and_then(|s| s.find_rule(&rule).cloned())
                .or_else(|| rules::find(&rule).map(rules::RuleRef::Builtin))
            {
                print(&r.meta().doc)
            } else {
                eprintln!("iamlint: unknown rule `{rule}` (see `iamlint rules`)");
                ExitCode::from(2)
            }
        }
        Some(Command::Server) => match iamlint::server::serve() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("iamlint server: {e}");
                ExitCode::from(2)
            }
        },
        None => lint(cli.lint),
    }
}

fn rules_table(known: &[rules::RuleRef]) -> String {
    let mut s = String::new();
    for r in known {
        let m = r.meta();
        s.push_str(&format!(
            "{:<42} {:<12} {:<8} {}\n",
            m.name,
            m.category.as_str(),
            m.default_severity.as_str(),
            m.summary
        ));
    }
    s
}

/// Writes to stdout; a closed pipe (`iamlint | head`) is not an error.
fn print(text: &str) -> ExitCode {
    print_with(|out| out.write_all(text.as_bytes()))
}

/// Runs `write` on standard output (buffered: lines do not go out one by one).
fn print_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> ExitCode {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamlint: {e}");
            ExitCode::from(2)
        }
    }
}

struct Fixing {
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
}

fn lint(mut args: cli::LintArgs) -> ExitCode {
    // `--stdin-filename x.tf -`: the settings are those of x.tf's place.
    if let Some(p) = &args.stdin_filename {
        args.paths = vec![p.clone()];
    }
    // More threads than cores only adds contention (and memory); say so and use the cores.
    let cores = iamlint::settings::thread_count(0);
    if args.threads > cores {
        eprintln!(
            "iamlint: warning: -j {} is more than the {cores} cores here; using {cores}",
            args.threads
        );
        args.threads = cores;
    }
    let filters = iamlint::Filters {
        write_baseline: args.write_baseline.clone(),
        baseline: args.baseline.clone(),
        new_from_rev: args.new_from_rev.clone(),
    };
    let (output, output_format) = (args.output.clone(), args.output_format);
    let fixing = Fixing {
        fix: args.fix,
        diff: args.diff,
        unsafe_fixes: args.unsafe_fixes,
    };
    let skip_unreadable = args.skip_unreadable;
    let verbose = args.verbose;
    let max_per_file = args.max_findings_per_file;
    let stdin_filename = args.stdin_filename.clone();
    let mut settings = match settings::resolve(args.options()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
    };
    // Fixing reads each file's whole text after it is linted; the outputs only its findings' lines.
    settings.keep_sources = fixing.fix || fixing.diff;
    let stdin = match &stdin_filename {
        Some(_) => {
            let mut bytes = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
                eprintln!("iamlint: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
            Some(bytes)
        }
        None => None,
    };
    let run = || match (&stdin_filename, &stdin) {
        (Some(path), Some(bytes)) => Ok(iamlint::run_bytes(path, bytes.clone(), &settings).0),
        _ => iamlint::run(&settings),
    };
    let mut outcome = match run() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
    };
    // Set when a fixed file could not be written: the run goes on, and exits 2.
    let mut write_failed = false;
    if fixing.diff || fixing.fix {
        // Only what the run reports is fixed: not what the baseline, changed-lines mode or a
        // suppression hides (selection already applied while linting).
        let reading = iamlint::Filters {
            write_baseline: None,
            ..filters.clone()
        };
        let all = outcome.prints().into_owned();
        if let Err(e) = iamlint::apply_filters(&mut outcome, &reading) {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
        let active_prints: Vec<String> = outcome
            .findings
            .iter()
            .zip(outcome.prints().iter())
            .filter(|(f, _)| f.suppressed.is_none())
            .map(|(_, p)| p.clone())
            .collect();
        let active_set: HashSet<&str> = active_prints.iter().map(String::as_str).collect();
        let hidden: HashSet<String> = all
            .into_iter()
            .filter(|p| !active_set.contains(p.as_str()))
            .collect();
        let reported: Vec<iamlint::diagnostic::Finding> = outcome.active().cloned().collect();
        let fixed =
            iamlint::fix::fix_files_hiding(&reported, &hidden, &settings, fixing.unsafe_fixes);
        if fixing.diff {
            let diff: String = fixed.iter().map(iamlint::fix::unified_diff).collect();
            return match print(&diff) {
                ExitCode::SUCCESS => ExitCode::from(u8::from(!fixed.is_empty())),
                other => other,
            };
        }
        if let Some(bytes) = &stdin {
            // Fixing standard input prints the fixed text, as formatters do; anything else (no
            // fix, input that was not plain UTF-8) goes back exactly as it came.
            return match fixed.first() {
                Some(f) if f.original.as_bytes() == bytes.as_slice() => print(&f.fixed),
                _ => print_with(|out| out.write_all(bytes)),
            };
        }
        let written = iamlint::fix::write(&fixed, &settings.paths);
        for line in &written.skipped {
            eprintln!("iamlint: {line}");
        }
        for line in &written.failed {
            eprintln!("iamlint: {line}");
        }
        write_failed = !written.failed.is_empty();
        if written.applied > 0 {
            eprintln!(
                "iamlint: applied {} fixes in {} files",
                written.applied, written.files
            );
        }
        outcome = match run() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("iamlint: {e}");
                return ExitCode::from(2);
            }
        };
    }
    for n in &outcome.notes {
        eprintln!(
            "iamlint: {}: {}",
            iamlint::source::escape_controls(&n.path),
            iamlint::source::escape_controls(&n.message)
        );
    }
    if verbose {
        for line in outcome.unread_lines() {
            eprintln!(
                "iamlint: not read: {}",
                iamlint::source::escape_controls(&line)
            );
        }
    }
    let unreadable = !skip_unreadable && outcome.notes.iter().any(|n| n.named);
    let color = match settings.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let said = match iamlint::apply_filters(&mut outcome, &filters) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(n) = max_per_file {
        outcome.cap_per_file(n);
    }
    // `--output FILE` gets the chosen format; the terminal keeps a view for people (or the
    // --format view when --output-format picked the file's).
    let (shown, to_file) = match (output, output_format) {
        (Some(path), Some(file_format)) => (settings.format, Some((path, file_format))),
        (Some(path), None) => (Format::Human, Some((path, settings.format))),
        (None, _) => (settings.format, None),
    };
    if let Some((path, format)) = to_file {
        // Rendered whole, then written atomically: a failed write leaves the old report.
        let mut bytes = Vec::new();
        let written = output::write(format, &outcome, false, settings.threads, &mut bytes)
            .and_then(|()| iamlint::source::write_atomic(&path, &bytes));
        if let Err(e) = written {
            eprintln!(
                "iamlint: cannot write {}: {e}",
                iamlint::source::escape_controls(&path.display().to_string())
            );
            return ExitCode::from(2);
        }
    }
    let code = match print_with(|out| output::write(shown, &outcome, color, settings.threads, out))
    {
        ExitCode::SUCCESS if write_failed || unreadable => ExitCode::from(2),
        ExitCode::SUCCESS => ExitCode::from(outcome.exit_code(settings.fail_on)),
        other => other,
    };
    for line in said {
        eprintln!("iamlint: {line}");
    }
    // The human and GitHub views say it in their summary; the data formats have none.
    if !matches!(shown, Format::Human | Format::Github) {
        let line = iamlint::outcome::LeftOut::line(outcome.left_out.as_ref());
        if !line.is_empty() {
            eprint!("iamlint: {line}");
        }
    }
    if unreadable {
        eprintln!(
            "iamlint: a file named on the command line could not be read (exit 2; --skip-unreadable to go on)"
        );
    }
    // The process ends here: the system takes the findings and their files back at once, faster
    // than freeing them one by one.
    std::mem::forget(outcome);
    code
}
