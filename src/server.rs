//! `iamlint server`: a Language Server over stdio. It lints JSON, YAML and Terraform documents as
//! they are opened, changed and saved, publishes the findings as diagnostics (UTF-16 positions, as
//! LSP counts them), offers the safe fixes as quick fixes, and shows the rule's page on hover of a
//! diagnostic. Settings come from the `iamlint.toml` above each file, as on the command line.

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticSeverity, Hover,
    HoverContents, HoverParams, HoverProviderCapability, MarkupContent, MarkupKind, NumberOrString,
    Position, PublishDiagnosticsParams, Range, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};

use crate::diagnostic::{Finding, Severity};
use crate::settings;
use crate::source::{SourceFile, Span};

type BoxError = Box<dyn Error + Send + Sync>;

/// Runs the server until the client says `exit`.
pub fn serve() -> Result<(), BoxError> {
    let (conn, io) = Connection::stdio();
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    };
    conn.initialize(serde_json::to_value(caps)?)?;
    Server::default().run(&conn)?;
    drop(conn);
    io.join()?;
    Ok(())
}

#[derive(Default)]
struct Server {
    /// Open documents' findings, by URI, as last published.
    findings: HashMap<String, Vec<Finding>>,
    /// The pages of the custom rules of the last lint's config, by name (built-in rules' pages
    /// are in the registry).
    custom_docs: HashMap<String, String>,
}

/// `file:///a%20b/c.tf` → `/a b/c.tf`.
fn uri_path(uri: &Uri) -> PathBuf {
    let s = uri.as_str();
    let raw = s.strip_prefix("file://").unwrap_or(s);
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

fn position(file: &SourceFile, offset: u32) -> Position {
    let p = file.position(offset as usize);
    Position {
        line: p.line - 1,
        character: p.column_utf16 - 1,
    }
}

fn range(file: &SourceFile, span: Span) -> Range {
    Range {
        start: position(file, span.start),
        end: position(file, span.end),
    }
}

fn contains(r: &Range, p: &Position) -> bool {
    (r.start.line, r.start.character) <= (p.line, p.character)
        && (p.line, p.character) <= (r.end.line, r.end.character)
}

fn overlaps(a: &Range, b: &Range) -> bool {
    (a.start.line, a.start.character) <= (b.end.line, b.end.character)
        && (b.start.line, b.start.character) <= (a.end.line, a.end.character)
}

fn diagnostic(f: &Finding) -> Diagnostic {
    Diagnostic {
        range: range(&f.file, f.primary.span),
        severity: Some(match f.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(f.rule.as_str().to_string())),
        code_description: crate::rules::doc_url(f.rule.as_str())
            .parse::<Uri>()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("iamlint".to_string()),
        message: match &f.help {
            Some(h) => format!("{}\nhelp: {h}", f.message),
            None => f.message.clone(),
        },
        ..Default::default()
    }
}

/// Lints `text` as the file `uri` names, with that file's settings; also returns the pages of the
/// settings' custom rules.
fn lint(uri: &Uri, text: &str) -> (Vec<Finding>, HashMap<String, String>) {
    let path = uri_path(uri);
    let args = settings::Options {
        paths: vec![path.clone()],
        ..settings::Options::default()
    };
    let settings = settings::resolve(args).unwrap_or_default();
    let findings = crate::lint_text(&path.to_string_lossy(), text, &settings)
        .into_iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let docs = settings
        .known
        .iter()
        .filter(|r| r.meta().category == crate::rules::Category::Custom)
        .map(|r| (r.meta().name.to_string(), r.meta().doc.to_string()))
        .collect();
    (findings, docs)
}

impl Server {
    fn run(&mut self, conn: &Connection) -> Result<(), BoxError> {
        for msg in &conn.receiver {
            match msg {
                Message::Request(req) => {
                    if conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let resp = self.request(req);
                    conn.sender.send(Message::Response(resp))?;
                }
                Message::Notification(n) => self.notification(conn, n)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn request(&self, req: Request) -> Response {
        let id: RequestId = req.id.clone();
        let result = match req.method.as_str() {
            CodeActionRequest::METHOD => serde_json::from_value::<CodeActionParams>(req.params)
                .map(|p| serde_json::to_value(self.code_actions(&p))),
            HoverRequest::METHOD => serde_json::from_value::<HoverParams>(req.params)
                .map(|p| serde_json::to_value(self.hover(&p))),
            _ => {
                return Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("iamlint does not handle {}", req.method),
                );
            }
        };
        match result {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err(e)) | Err(e) => Response::new_err(
                id,
                lsp_server::ErrorCode::InvalidParams as i32,
                e.to_string(),
            ),
        }
    }

    fn notification(&mut self, conn: &Connection, n: Notification) -> Result<(), BoxError> {
        let (uri, text) = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                (p.text_document.uri, p.text_document.text)
            }
            DidChangeTextDocument::METHOD => {
                let mut p: lsp_types::DidChangeTextDocumentParams =
                    serde_json::from_value(n.params)?;
                // Full sync: the last change holds the whole text.
                let Some(change) = p.content_changes.pop() else {
                    return Ok(());
                };
                (p.text_document.uri, change.text)
            }
            DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                let text = match p.text {
                    Some(t) => t,
                    None => match std::fs::read_to_string(uri_path(&p.text_document.uri)) {
                        Ok(t) => t,
                        Err(_) => return Ok(()),
                    },
                };
                (p.text_document.uri, text)
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                self.findings.remove(p.text_document.uri.as_str());
                return publish(conn, p.text_document.uri, Vec::new());
            }
            _ => return Ok(()),
        };
        let (findings, docs) = lint(&uri, &text);
        self.custom_docs = docs;
        let diagnostics = findings.iter().map(diagnostic).collect();
        self.findings.insert(uri.as_str().to_string(), findings);
        publish(conn, uri, diagnostics)
    }

    fn findings_at<'a>(&'a self, uri: &Uri, r: Range) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .get(uri.as_str())
            .into_iter()
            .flatten()
            .filter(move |f| overlaps(&range(&f.file, f.primary.span), &r))
    }

    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        self.findings_at(uri, p.range)
            .filter_map(|f| {
                let fix = f.fix.as_ref().filter(|x| x.safe)?;
                let edits: Vec<TextEdit> = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: range(&f.file, e.span),
                        new_text: e.replacement.clone(),
                    })
                    .collect();
                let title = fix
                    .edits
                    .iter()
                    .map(|e| format!("`{}` → `{}`", f.file.slice(e.span), e.replacement))
                    .collect::<Vec<_>>()
                    .join(", ");
                Some(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Fix {}: {title}", f.rule.as_str()),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic(f)]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), edits)])),
                        ..Default::default()
                    }),
                    is_preferred: Some(true),
                    ..Default::default()
                }))
            })
            .collect()
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let pos = &p.text_document_position_params.position;
        let uri = &p.text_document_position_params.text_document.uri;
        let f = self
            .findings
            .get(uri.as_str())?
            .iter()
            .find(|f| contains(&range(&f.file, f.primary.span), pos))?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: match crate::rules::find(f.rule.as_str()) {
                    Some(r) => r.meta().doc.to_string(),
                    None => self.custom_docs.get(f.rule.as_str())?.clone(),
                },
            }),
            range: Some(range(&f.file, f.primary.span)),
        })
    }
}

fn publish(conn: &Connection, uri: Uri, diagnostics: Vec<Diagnostic>) -> Result<(), BoxError> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    conn.sender.send(Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        params,
    )))?;
    Ok(())
}
