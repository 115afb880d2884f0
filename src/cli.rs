//! Command-line flags as the user typed them (clap derive): the binary's side only. The library
//! is driven by plain [`Options`] ([`LintArgs::options`]), which `iamlint::settings` resolves
//! against `iamlint.toml`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use iamlint::diagnostic::Severity;
use iamlint::settings::Options;
use iamlint::settings::{ColorChoice, Format};

#[derive(Parser, Debug)]
#[command(
    name = "iamlint",
    version = iamlint::version_line(),
    about = "Finds mistakes and risky grants in AWS IAM policies: raw JSON, CloudFormation, SAM, Serverless, CDK output and Terraform.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every rule: name, category, default severity, summary.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// The rule name, e.g. `rds-connect-prefix`.
        rule: String,
    },
    /// Run as a Language Server on standard input and output (for editors).
    Server,
}

#[derive(clap::Args, Debug, Default)]
pub struct LintArgs {
    /// Files or folders to lint (folders are walked, honouring .gitignore).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also write the report to FILE (in --output-format, else in --format). The terminal then
    /// shows the --format view if --output-format is given, else the human view.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The format written to --output, e.g. `--format github --output-format sarif --output x.sarif`.
    #[arg(long, value_enum, value_name = "FORMAT", requires = "output")]
    pub output_format: Option<Format>,

    /// Report only findings on lines changed since this git revision (`git diff REV`, plus
    /// untracked files). Run from inside the repository.
    #[arg(long, value_name = "REV")]
    pub new_from_rev: Option<String>,

    /// Hide the findings recorded in this baseline file; report only new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file (and report none of them).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Apply the safe fixes in place, then report what is left.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// With --fix or --diff, also apply fixes that guess (e.g. an unknown action with one near match).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of applying them (exit 1 when there are any).
    #[arg(long)]
    pub diff: bool,

    /// Lint standard input as if it were this file (use the path `-`).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Treat files named on the command line like files found by walking: skip those matching
    /// exclude globs and those with no sign of a policy (for pre-commit, which passes every file).
    #[arg(long)]
    pub force_exclude: bool,

    /// Only these rules or categories (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE|CATEGORY")]
    pub select: Vec<String>,

    /// Skip these rules or categories (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE|CATEGORY")]
    pub ignore: Vec<String>,

    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", value_parser = ["error", "warning", "info"])]
    pub fail_on: Option<String>,

    /// An AWS account id of your own (trust from it is not cross-account). Repeatable.
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,

    /// Use this config file instead of looking for iamlint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Skip paths matching this glob (repeatable; adds to the config's `exclude`).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Worker threads, for linting and then for drawing the report (0: one per core; more than the
    /// machine's cores is capped, with a warning).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,

    /// Follow symbolic links while walking.
    #[arg(long)]
    pub follow: bool,

    /// Files named on the command line that cannot be read (permissions, a FIFO, a binary or
    /// undecodable file, over --max-file-size) are reported but do not make the exit code 2.
    #[arg(long)]
    pub skip_unreadable: bool,

    /// List on stderr every place that looks like it holds a policy but was not read (the
    /// summary gives their number and the first).
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Report at most N findings per file (the first N in output order); every format says how
    /// many were left out (the human and GitHub views in their summary, the others on stderr).
    #[arg(long, value_name = "N")]
    pub max_findings_per_file: Option<usize>,

    /// Colour in the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl LintArgs {
    /// What the library needs of the flags to resolve the settings.
    pub fn options(&self) -> Options {
        Options {
            paths: self.paths.clone(),
            format: self.format,
            color: self.color,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            fail_on: self
                .fail_on
                .as_deref()
                .map(|s| Severity::parse(s).expect("clap checked the value")),
            accounts: self.accounts.clone(),
            config: self.config.clone(),
            exclude: self.exclude.clone(),
            max_file_size: self.max_file_size,
            threads: self.threads,
            follow: self.follow,
            force_exclude: self.force_exclude,
        }
    }
}
