//! Resolved settings: command-line flags merged with `iamlint.toml` (found by walking up from the
//! first target). Unknown config keys, unknown rule names and bad values are usage errors that say
//! where they are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::rules::{self, Category, Rule, RuleOptions, RuleRef};

pub const CONFIG_FILE: &str = "iamlint.toml";
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// `iamlint.toml` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rule name → severity.
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
    pub fail_on: Option<Severity>,
    /// `[[rules.custom]]`: the team's own rules.
    #[serde(default)]
    pub rules: crate::custom::RulesConfig,
}

/// What a run is asked for (by the command line or an editor), before `iamlint.toml` is read.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub color: ColorChoice,
    /// Rules or categories: replaces the config's `select` when not empty.
    pub select: Vec<String>,
    /// Rules or categories, added to the config's `ignore`.
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Own account ids, added to the config's.
    pub accounts: Vec<String>,
    /// The config file; default: found by walking up from the first path.
    pub config: Option<PathBuf>,
    /// Globs, added to the config's.
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    pub threads: usize,
    pub follow: bool,
    pub force_exclude: bool,
}

/// The threads a run uses for `requested` (`-j`; 0: one per core).
pub fn thread_count(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
}

/// A rule a run checks, and at which severity.
#[derive(Clone)]
pub struct Enabled {
    pub rule: RuleRef,
    /// The configured severity, else the rule's default.
    pub severity: Severity,
    /// The severity was configured (`[severity]`): it applies to every finding of the rule, also
    /// where the rule picks a level per finding.
    pub configured: bool,
}

impl Enabled {
    /// The rule at its default severity.
    pub fn by_default(rule: RuleRef) -> Self {
        let severity = rule.meta().default_severity;
        Enabled {
            rule,
            severity,
            configured: false,
        }
    }
}

/// Everything a run needs, resolved.
pub struct Settings {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub color: ColorChoice,
    /// Enabled rules with the severity each reports at.
    pub rules: Vec<Enabled>,
    /// Every rule known to this run, enabled or not: the built-in ones and the config's custom ones.
    pub known: Vec<RuleRef>,
    pub fail_on: Severity,
    pub options: RuleOptions,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    pub threads: usize,
    pub follow: bool,
    /// Named files are filtered like walked ones (exclude globs, content sniff).
    pub force_exclude: bool,
    pub config_path: Option<PathBuf>,
    /// Whether the run's findings keep their files' whole texts (`--fix` needs them). Without,
    /// each file a finding points into is [`SourceFile::settled`] once linted: the outputs ask
    /// only about the lines the findings are on and the snippet's lines around them.
    ///
    /// [`SourceFile::settled`]: crate::source::SourceFile::settled
    pub keep_sources: bool,
}

impl Default for Settings {
    /// The default rules (not the opt-in `pedantic` ones) at their default severity, no config:
    /// what a run without `select` checks, and what tests and `lint_text` callers start from.
    fn default() -> Self {
        Settings {
            paths: vec![PathBuf::from(".")],
            format: Format::Human,
            color: ColorChoice::Never,
            rules: rules::ALL
                .iter()
                .filter(|r| r.default_enabled())
                .map(|&r| Enabled::by_default(RuleRef::Builtin(r)))
                .collect(),
            known: rules::ALL.iter().map(|&r| RuleRef::Builtin(r)).collect(),
            fail_on: Severity::Warning,
            options: RuleOptions::default(),
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            threads: 0,
            follow: false,
            force_exclude: false,
            config_path: None,
            keep_sources: true,
        }
    }
}

impl Settings {
    /// A rule known to this run by name, custom rules included.
    pub fn find_rule(&self, name: &str) -> Option<&RuleRef> {
        self.known.iter().find(|r| r.meta().name == name)
    }

    /// The enabled rule named `rule`, if it is enabled.
    pub fn enabled(&self, rule: &str) -> Option<&Enabled> {
        self.rules.iter().find(|e| e.rule.meta().name == rule)
    }

    pub fn severity_of(&self, rule: &str) -> Option<Severity> {
        self.enabled(rule).map(|e| e.severity)
    }

    /// Every built-in rule, the opt-in ones included, at its default severity (`select = ["all"]`).
    pub fn all_rules() -> Self {
        Settings {
            rules: rules::ALL
                .iter()
                .map(|&r| Enabled::by_default(RuleRef::Builtin(r)))
                .collect(),
            ..Settings::default()
        }
    }

    /// Settings that check only `rule` (a built-in one): what a rule's fixtures are linted with.
    pub fn for_rule(rule: &str) -> Self {
        let rule = rules::find(rule).unwrap_or_else(|| panic!("no rule `{rule}`"));
        Settings {
            rules: vec![Enabled::by_default(RuleRef::Builtin(rule))],
            ..Settings::default()
        }
    }
}

#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Finds `iamlint.toml` in the target's folder or any parent.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    // A path that does not exist (`--stdin-filename new.tf`) is looked up from its folder.
    let start = std::fs::canonicalize(start)
        .or_else(|_| std::path::absolute(start))
        .ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let c = d.join(CONFIG_FILE);
        if c.is_file() {
            return Some(c);
        }
        dir = d.parent();
    }
    None
}

/// `path:line:column` of a byte offset in the config text.
fn config_at(path: &Path, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{}:{line}:{col}", path.display())
}

/// Reads `iamlint.toml` and builds its custom rules; errors name the place in the file.
pub fn load_config(path: &Path) -> Result<(Config, Vec<RuleRef>), UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or_else(
            || path.display().to_string(),
            |s| config_at(path, &text, s.start),
        );
        UsageError(format!("invalid config {at}: {}", e.message()))
    })?;
    let custom = crate::custom::compile(std::mem::take(&mut config.rules.custom)).map_err(|e| {
        UsageError(format!(
            "invalid config {}: {}",
            config_at(path, &text, e.span.start),
            e.message
        ))
    })?;
    Ok((config, custom))
}

/// Does `sel` pick `rule`? `all` picks every rule, a rule's name that rule; `default` and
/// `pedantic` pick the default and the opt-in rules; a category picks its default rules (an
/// opt-in rule runs only when asked for by name, `pedantic` or `all`).
fn selects(sel: &str, rule: &dyn Rule) -> bool {
    let m = rule.meta();
    sel == "all"
        || m.name == sel
        || sel == rule.group()
        || (rule.default_enabled() && sel == m.category.as_str())
}

/// Does `sel` in `ignore` pick `rule`? As [`selects`], but a category names all its rules.
fn ignores(sel: &str, rule: &dyn Rule) -> bool {
    selects(sel, rule) || sel == rule.meta().category.as_str()
}

fn check_names(names: &[String], known: &[RuleRef], what: &str) -> Result<(), UsageError> {
    for n in names {
        let known = n == "all"
            || n == "default"
            || n == rules::PEDANTIC
            || known.iter().any(|r| r.meta().name == n.as_str())
            || Category::ALL.iter().any(|c| c.as_str() == n);
        if !known {
            return Err(UsageError(format!(
                "unknown rule or category `{n}` in {what} (see `iamlint rules`)"
            )));
        }
    }
    Ok(())
}

pub fn resolve(args: Options) -> Result<Settings, UsageError> {
    let config_path = match &args.config {
        Some(p) => Some(p.clone()),
        None => find_config(args.paths.first().map_or(Path::new("."), |p| p.as_path())),
    };
    let (config, custom) = match &config_path {
        Some(p) => load_config(p)?,
        None => (Config::default(), Vec::new()),
    };
    let known: Vec<RuleRef> = rules::ALL
        .iter()
        .map(|&r| RuleRef::Builtin(r))
        .chain(custom)
        .collect();
    check_names(&config.select, &known, "the config's `select`")?;
    check_names(&config.ignore, &known, "the config's `ignore`")?;
    check_names(&args.select, &known, "--select")?;
    check_names(&args.ignore, &known, "--ignore")?;
    for name in config.severity.keys() {
        if !known.iter().any(|r| r.meta().name == name.as_str()) {
            return Err(UsageError(format!(
                "unknown rule `{name}` in the config's `severity`"
            )));
        }
    }
    // The command line's selection replaces the config's; ignores add up.
    let select = if args.select.is_empty() {
        &config.select
    } else {
        &args.select
    };
    let enabled = known
        .iter()
        .filter(|r| {
            if select.is_empty() {
                r.default_enabled()
            } else {
                select.iter().any(|s| selects(s, &***r))
            }
        })
        .filter(|r| {
            !config
                .ignore
                .iter()
                .chain(&args.ignore)
                .any(|s| ignores(s, &***r))
        })
        .map(|r| match config.severity.get(r.meta().name.as_str()) {
            Some(&severity) => Enabled {
                rule: r.clone(),
                severity,
                configured: true,
            },
            None => Enabled::by_default(r.clone()),
        })
        .collect();
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Warning);
    let mut accounts = config.accounts;
    accounts.extend(args.accounts);
    for a in &accounts {
        if !crate::policy::arn::is_account_id(a) {
            return Err(UsageError(format!(
                "`{a}` is not an AWS account id (twelve digits)"
            )));
        }
    }
    let mut exclude = config.exclude;
    exclude.extend(args.exclude);
    Ok(Settings {
        paths: args.paths,
        format: args.format,
        color: args.color,
        rules: enabled,
        known,
        fail_on,
        options: RuleOptions { accounts },
        exclude,
        max_file_size: args.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        threads: args.threads,
        follow: args.follow,
        force_exclude: args.force_exclude,
        config_path,
        keep_sources: true,
    })
}

/// The output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Reports with the source snippet and the offending token underlined.
    #[default]
    Human,
    /// `path:line:col: severity: message [rule]`, one a line, for problem matchers.
    Compact,
    /// The findings as data, with byte offsets and line/column.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`): annotations on the pull request.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled(select: &[&str], ignore: &[&str]) -> Vec<String> {
        // A folder with no `iamlint.toml` above it.
        let s = resolve(Options {
            paths: vec![PathBuf::from("/")],
            select: select.iter().map(ToString::to_string).collect(),
            ignore: ignore.iter().map(ToString::to_string).collect(),
            ..Options::default()
        });
        let s = s.unwrap();
        s.rules
            .iter()
            .map(|e| e.rule.meta().name.as_str().to_string())
            .collect()
    }

    const OPT_IN: &str = "wildcard-resource-for-scopable-action";

    /// Opt-in rules run only when asked for by name, `pedantic` or `all`.
    #[test]
    fn opt_in_rules_are_selected_by_name_group_or_all() {
        let opt_in: Vec<_> = rules::ALL
            .iter()
            .filter(|r| !r.default_enabled())
            .map(|r| r.meta().name.as_str())
            .collect();
        assert!(opt_in.contains(&OPT_IN));
        let default = enabled(&[], &[]);
        assert!(!default.iter().any(|n| n == OPT_IN));
        assert_eq!(default.len(), rules::ALL.len() - opt_in.len());
        assert_eq!(
            Settings::default().rules.len(),
            default.len(),
            "`Settings::default` is the default run"
        );
        assert!(!enabled(&["security"], &[]).iter().any(|n| n == OPT_IN));
        assert!(enabled(&["default"], &[]).iter().all(|n| n != OPT_IN));
        assert_eq!(enabled(&["pedantic"], &[]).len(), opt_in.len());
        assert_eq!(enabled(&[OPT_IN], &[]), [OPT_IN]);
        assert_eq!(enabled(&["all"], &[]).len(), rules::ALL.len());
        assert_eq!(Settings::all_rules().rules.len(), rules::ALL.len());
        // A category in `ignore` names all its rules.
        assert!(!enabled(&["all"], &["security"]).iter().any(|n| n == OPT_IN));
        assert!(enabled(&["default", "pedantic"], &[]).len() == rules::ALL.len());
    }
}
