//! Output formats, all rendered from the same sorted findings. Suppressed findings are left out of
//! every format except those that record suppressions (SARIF).

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::Outcome;
use crate::settings::Format;

/// Writes the outcome in `format` to `out`. The one-line format goes out a line at a time, the
/// others as [`render`] makes them.
pub fn write(
    format: Format,
    outcome: &Outcome,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Compact => compact::write(outcome, out),
        _ => out.write_all(render(format, outcome, color).as_bytes()),
    }
}

/// Renders the outcome in `format`. `color` only affects the human view.
pub fn render(format: Format, outcome: &Outcome, color: bool) -> String {
    match format {
        Format::Human => human::render(outcome, color, None),
        Format::Compact => compact::render(outcome),
        Format::Json => json::render(outcome),
        Format::Github => github::render(outcome),
        Format::Sarif => sarif::render(outcome),
    }
}
