//! The `iamlint` command: parse flags, run, print, exit 0 (clean), 1 (findings) or 2 (usage/IO).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use iamlint::cli::{Cli, ColorChoice, Command, Format};
use iamlint::{output, rules, settings};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Rules) => print(&rules_table()),
        Some(Command::Explain { rule }) => match rules::find(&rule) {
            Some(r) => print(r.meta().doc),
            None => {
                eprintln!("iamlint: unknown rule `{rule}` (see `iamlint rules`)");
                ExitCode::from(2)
            }
        },
        None => lint(cli.lint),
    }
}

fn rules_table() -> String {
    let mut s = String::new();
    for r in rules::ALL {
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
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamlint: {e}");
            ExitCode::from(2)
        }
    }
}

fn lint(args: iamlint::cli::LintArgs) -> ExitCode {
    let filters = iamlint::Filters {
        write_baseline: args.write_baseline.clone(),
        baseline: args.baseline.clone(),
        new_from_rev: args.new_from_rev.clone(),
    };
    let (output, output_format) = (args.output.clone(), args.output_format);
    let settings = match settings::resolve(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
    };
    let mut outcome = match iamlint::run(&settings) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("iamlint: {e}");
            return ExitCode::from(2);
        }
    };
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
        let text = output::render(format, &outcome, false);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("iamlint: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let text = output::render(shown, &outcome, color);
    let code = match print(&text) {
        ExitCode::SUCCESS => ExitCode::from(outcome.exit_code(settings.fail_on)),
        other => other,
    };
    for line in said {
        eprintln!("iamlint: {line}");
    }
    code
}
