//! What a run found: the findings in output order, the notes about files not read, and what the
//! outputs and the exit code need of the run.

use crate::diagnostic::{Finding, Severity};
use crate::walk::Note;
use std::collections::HashSet;

use crate::{fingerprint, rules};

/// What a run found.
#[derive(Default)]
pub struct Outcome {
    /// Sorted by path, line, column, rule; suppressed findings included (marked).
    pub findings: Vec<Finding>,
    /// One per finding, same order (see [`fingerprint`]), or empty until [`Outcome::prints`] is
    /// first asked: the compact and human outputs never need them.
    pub fingerprints: Vec<String>,
    pub notes: Vec<Note>,
    /// Places that look like they hold a policy but could not be read, by path and offset: the
    /// outputs say how many and where the first are (`--verbose`: all of them).
    pub unread: Vec<crate::extract::Unread>,
    pub files_linted: usize,
    /// The files linted, as [`fingerprint::relative`] writes them, sorted.
    pub linted_paths: Vec<String>,
    /// The enabled rules with the severity each reports at, in registry order (SARIF lists them).
    pub rules: Vec<(rules::RuleRef, Severity)>,
    /// Set when a baseline hid findings: what it hid and what it no longer matches.
    pub baseline: Option<Applied>,
    /// Set by [`Outcome::cap_per_file`]: what it left out.
    pub left_out: Option<LeftOut>,
}

/// What `--max-findings-per-file` left out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The cap.
    pub per_file: usize,
    /// Findings left out, and the files they are in.
    pub findings: usize,
    pub files: usize,
    /// The most severe finding left out (it still sets the exit code).
    pub worst: Option<Severity>,
}

impl LeftOut {
    /// `12 more findings in 3 files not shown (--max-findings-per-file 5).`, or nothing.
    pub fn line(this: Option<&Self>) -> String {
        match this {
            Some(l) if l.findings > 0 => format!(
                "{} more finding{} in {} file{} not shown (--max-findings-per-file {}).\n",
                l.findings,
                if l.findings == 1 { "" } else { "s" },
                l.files,
                if l.files == 1 { "" } else { "s" },
                l.per_file
            ),
            _ => String::new(),
        }
    }
}

impl Outcome {
    /// The fingerprints, computed here if whoever built the outcome left them out.
    pub fn prints(&self) -> std::borrow::Cow<'_, [String]> {
        if self.fingerprints.len() == self.findings.len() {
            std::borrow::Cow::Borrowed(&self.fingerprints)
        } else {
            std::borrow::Cow::Owned(fingerprint::fingerprints(&self.findings))
        }
    }

    /// Keeps the findings (and their fingerprints) for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Finding, &str) -> bool) {
        self.fingerprints = self.prints().into_owned();
        let mut kept = Vec::with_capacity(self.findings.len());
        let mut prints = Vec::with_capacity(self.findings.len());
        for (f, p) in self.findings.drain(..).zip(self.fingerprints.drain(..)) {
            if keep(&f, &p) {
                kept.push(f);
                prints.push(p);
            }
        }
        self.findings = kept;
        self.fingerprints = prints;
    }

    /// Findings that count: not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// The places not read, each as `path:line:column: what`, in path order.
    pub fn unread_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.unread.iter().map(|u| {
            let p = u.file.position(u.span.start as usize);
            format!(
                "{}:{}:{}: {}",
                u.file.shown_path(),
                p.line,
                p.column,
                u.what
            )
        })
    }

    /// 0: nothing at or above `fail_on`; 1: findings (also those [`Outcome::cap_per_file`] left
    /// out).
    pub fn exit_code(&self, fail_on: Severity) -> u8 {
        let left_out = self
            .left_out
            .as_ref()
            .and_then(|l| l.worst)
            .is_some_and(|s| s >= fail_on);
        u8::from(left_out || self.active().any(|f| f.severity >= fail_on))
    }

    /// Keeps the first `n` active findings of each file, in output order, and records what it
    /// left out. Suppressed findings stay (SARIF records them) and do not count.
    pub fn cap_per_file(&mut self, n: usize) {
        let mut left = LeftOut {
            per_file: n,
            ..LeftOut::default()
        };
        let mut shown = 0;
        // The file of the previous finding, and whether it already lost one.
        let mut file: Option<&str> = None;
        let mut counted = false;
        let mut keep = Vec::with_capacity(self.findings.len());
        for f in &self.findings {
            if f.suppressed.is_some() {
                keep.push(true);
                continue;
            }
            if file != Some(f.file.shown_path()) {
                file = Some(f.file.shown_path());
                shown = 0;
                counted = false;
            }
            shown += 1;
            keep.push(shown <= n);
            if shown > n {
                left.findings += 1;
                left.worst = left.worst.max(Some(f.severity));
                left.files += usize::from(!counted);
                counted = true;
            }
        }
        // The fingerprints, where made, go with their findings.
        if self.fingerprints.len() == self.findings.len() {
            let mut flags = keep.iter();
            self.fingerprints
                .retain(|_| *flags.next().expect("one flag per finding"));
        }
        let mut flags = keep.iter();
        self.findings
            .retain(|_| *flags.next().expect("one flag per finding"));
        self.left_out = Some(left);
    }
}

/// What applying a baseline did, for the summary and for SARIF (which marks what it hid).
#[derive(Debug, Default)]
pub struct Applied {
    /// The baseline file as the user named it.
    pub path: String,
    /// Findings the baseline hid.
    pub hidden: usize,
    /// Entries that match no finding in a file this run linted (or in a file that is gone).
    pub stale: usize,
    /// The fingerprints of the hidden findings.
    pub fingerprints: HashSet<String>,
    pub outdated: bool,
}

impl Applied {
    /// One line for stderr: `baseline.json: 3 findings hidden, 1 stale entry (…)`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "baseline {}: {} finding{} hidden, {} stale {}",
            self.path,
            self.hidden,
            if self.hidden == 1 { "" } else { "s" },
            self.stale,
            if self.stale == 1 { "entry" } else { "entries" },
        );
        if self.stale > 0 {
            s.push_str(" (no longer found; refresh with --write-baseline)");
        }
        if self.outdated {
            s.push_str(" (written by another iamlint version; refresh with --write-baseline)");
        }
        s
    }
}
