//! The `iamlint` command: parse flags, run, print, exit 0 (clean), 1 (findings) or 2 (usage/IO).

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::{Cli, Command};
use iamlint::settings::{ColorChoice, Format};
use iamlint::{output, rules, settings};

/// Linting allocates many small strings and trees per file on every worker thread; mimalloc's
/// per-thread heaps measured faster than the system allocator on the managed-policies corpus.
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
    let stdin_filename = args.stdin_filename.clone();
    let settings = match settings::resolve(args.options()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
    };
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
    if fixing.diff || fixing.fix {
        let fixed = iamlint::fix::fix_files(&outcome.findings, &settings, fixing.unsafe_fixes);
        if fixing.diff {
            let diff: String = fixed.iter().map(iamlint::fix::unified_diff).collect();
            return match print(&diff) {
                ExitCode::SUCCESS => ExitCode::from(u8::from(!fixed.is_empty())),
                other => other,
            };
        }
        if let (Some(path), Some(bytes)) = (&stdin_filename, &stdin) {
            // Fixing standard input prints the fixed text, as formatters do.
            let text = match fixed.first() {
                Some(f) => f.fixed.clone(),
                None => iamlint::run_bytes(path, bytes.clone(), &settings).1,
            };
            return print(&text);
        }
        match iamlint::fix::write(&fixed) {
            Ok(0) => {}
            Ok(n) => eprintln!("iamlint: applied {n} fixes in {} files", fixed.len()),
            Err(e) => {
                eprintln!("iamlint: {e}");
                return ExitCode::from(2);
            }
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
        eprintln!("iamlint: {}: {}", n.path, n.message);
    }
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
    // `--output FILE` gets the chosen format; the terminal keeps a view for people (or the
    // --format view when --output-format picked the file's).
    let (shown, to_file) = match (output, output_format) {
        (Some(path), Some(file_format)) => (settings.format, Some((path, file_format))),
        (Some(path), None) => (Format::Human, Some((path, settings.format))),
        (None, _) => (settings.format, None),
    };
    if let Some((path, format)) = to_file {
        let written = std::fs::File::create(&path).and_then(|f| {
            let mut f = std::io::BufWriter::new(f);
            output::write(format, &outcome, false, &mut f)?;
            f.flush()
        });
        if let Err(e) = written {
            eprintln!("iamlint: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let code = match print_with(|out| output::write(shown, &outcome, color, out)) {
        ExitCode::SUCCESS => ExitCode::from(outcome.exit_code(settings.fail_on)),
        other => other,
    };
    for line in said {
        eprintln!("iamlint: {line}");
    }
    // The process ends here: the system takes the findings and their files back at once, faster
    // than freeing them one by one.
    std::mem::forget(outcome);
    code
}
