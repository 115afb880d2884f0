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

/// Why a notification was not handled: its params, or the connection.
enum Fail {
    Params(String),
    Send(BoxError),
}

/// Largest message body read (64 MiB): a bigger `Content-Length` is refused, never allocated;
/// the input is read again from the next header.
pub const MAX_FRAME: usize = 64 << 20;

/// Runs the server until the client says `exit` (or closes its end).
///
/// The frames are read here, not by `lsp-server`'s reader (which trusts `Content-Length` and
/// stops at the first malformed message): a frame without a usable header is skipped to the
/// next header, one over [`MAX_FRAME`] is refused unread, and a body that is not a JSON-RPC
/// message is reported on stderr and dropped. The server goes on in every case.
pub fn serve() -> Result<(), BoxError> {
    let (conn, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = std::io::BufReader::new(stdin.lock());
        loop {
            match read_frame(&mut input, MAX_FRAME) {
                Ok(Frame::Message(m)) => {
                    if to_server.send(m).is_err() {
                        break;
                    }
                }
                Ok(Frame::Skipped(why)) => eprintln!("iamlint server: {why}"),
                Ok(Frame::Invalid { why, reply }) => {
                    eprintln!("iamlint server: {why}");
                    // Written here, as `lsp-server` has no `null` id; the lock keeps it whole
                    // between the writer thread's messages.
                    if write_frame(&mut std::io::stdout().lock(), &reply).is_err() {
                        break;
                    }
                }
                Ok(Frame::End) | Err(_) => break,
            }
        }
    });
    let writer = std::thread::spawn(move || {
        for m in from_server {
            // Locked per message, so the reader's error replies fall between messages.
            if m.write(&mut std::io::stdout().lock()).is_err() {
                break;
            }
        }
    });
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    };
    conn.initialize(serde_json::to_value(caps)?)?;
    Server::default().run(&conn)?;
    drop(conn);
    // The writer ends once every response has gone out; the reader may be waiting on input
    // that never comes, and ends with the process.
    let _ = writer.join();
    Ok(())
}

/// What one read of the input gives.
pub enum Frame {
    Message(Message),
    /// A frame that was not a message, and why.
    Skipped(String),
    /// A frame whose body is not a JSON-RPC message, and the error response JSON-RPC 2.0
    /// prescribes for it (`-32700` parse error, `-32600` invalid request, `-32600` for a frame
    /// refused for its size). A malformed notification gets no reply, as the protocol says.
    Invalid {
        why: String,
        reply: serde_json::Value,
    },
    /// The input ended.
    End,
}

/// Reads one `Content-Length` frame from `input`, bounded by `max` bytes of body.
pub fn read_frame(input: &mut impl std::io::BufRead, max: usize) -> std::io::Result<Frame> {
    use std::io::{BufRead as _, Read as _};
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        // A header line longer than 8 KiB is not a header.
        let n = input.by_ref().take(8192).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(Frame::End);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
            );
        }
    }
    let length = match length {
        None => return Ok(Frame::Skipped("a frame without Content-Length".into())),
        Some(Err(e)) => return Ok(Frame::Skipped(e)),
        Some(Ok(n)) => n,
    };
    if length > max {
        // Not read, nor skipped by its length (a client that lies about it would have the server
        // wait for bytes that never come): what follows is read as headers until the next frame.
        let why = format!("a frame of {length} bytes is over the {max} byte limit; refused");
        return Ok(Frame::Invalid {
            reply: error_reply(serde_json::Value::Null, INVALID_REQUEST, &why),
            why,
        });
    }
    let mut body = Vec::new();
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Frame::End);
    }
    let value = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(v) => v,
        Err(e) => {
            let why = format!("not JSON: {e}");
            return Ok(Frame::Invalid {
                reply: error_reply(serde_json::Value::Null, PARSE_ERROR, &why),
                why,
            });
        }
    };
    // The id, when the message has a usable one; a message without one is a notification.
    let id = match value.get("id") {
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::String(_))) => Some(v.clone()),
        Some(_) => Some(serde_json::Value::Null),
        None => None,
    };
    let is_notification = id.is_none() && value.get("method").is_some();
    Ok(match serde_json::from_value::<Message>(value) {
        Ok(m) => Frame::Message(m),
        Err(e) if is_notification => Frame::Skipped(format!("not a JSON-RPC notification: {e}")),
        Err(e) => {
            let why = format!("not a JSON-RPC message: {e}");
            Frame::Invalid {
                reply: error_reply(id.unwrap_or(serde_json::Value::Null), INVALID_REQUEST, &why),
                why,
            }
        }
    })
}

/// JSON-RPC 2.0 error codes for frames that are not messages.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// A JSON-RPC error response; `id` is `null` when the message's own id cannot be read.
fn error_reply(id: serde_json::Value, code: i32, message: &str) -> serde_json::Value {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Writes one `Content-Length` frame.
fn write_frame(out: &mut impl std::io::Write, body: &serde_json::Value) -> std::io::Result<()> {
    let body = body.to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

#[derive(Default)]
struct Server {
    /// Open documents' findings, by URI, as last published.
    findings: HashMap<String, Vec<Finding>>,
    /// The pages of the custom rules of the last lint's config, by name (built-in rules' pages
    /// are in the registry).
    custom_docs: HashMap<String, String>,
    /// Open documents' text, by URI: a save without text relints this, never reads the path the
    /// client named (a FIFO or a device would block).
    texts: HashMap<String, String>,
    /// Config files that have a published error, by URI: cleared once they read again.
    config_errors: std::collections::HashSet<String>,
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
/// settings' custom rules and the config file read. An invalid config is an error, with the
/// config file it came from: the document is not linted with other settings.
fn lint(uri: &Uri, text: &str) -> Result<Linted, (Option<PathBuf>, String)> {
    let path = uri_path(uri);
    let config = settings::find_config(&path);
    let args = settings::Options {
        paths: vec![path.clone()],
        ..settings::Options::default()
    };
    let settings = settings::resolve(args).map_err(|e| (config.clone(), e.to_string()))?;
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
    Ok(Linted {
        findings,
        docs,
        config: settings.config_path,
    })
}

struct Linted {
    findings: Vec<Finding>,
    docs: HashMap<String, String>,
    config: Option<PathBuf>,
}

/// `/a b/c.tf` → `file:///a%20b/c.tf`.
fn path_uri(path: &std::path::Path) -> Option<Uri> {
    let abs = std::path::absolute(path).ok()?;
    let encoded = crate::output::sarif::encode_uri_path(&abs.to_string_lossy());
    format!("file://{encoded}").parse().ok()
}

/// One diagnostic at the start of a file.
fn at_start(message: String) -> Diagnostic {
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("iamlint".to_string()),
        message,
        ..Default::default()
    }
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

    /// Handles a notification. A notification the server cannot read (bad params) is reported
    /// on stderr and dropped: notifications get no reply, and the server goes on.
    fn notification(&mut self, conn: &Connection, n: Notification) -> Result<(), BoxError> {
        let method = n.method.clone();
        match self.notification_inner(conn, n) {
            Err(Fail::Params(e)) => {
                eprintln!("iamlint server: ignored {method}: {e}");
                Ok(())
            }
            Err(Fail::Send(e)) => Err(e),
            Ok(()) => Ok(()),
        }
    }

    fn notification_inner(&mut self, conn: &Connection, n: Notification) -> Result<(), Fail> {
        let params = |e: serde_json::Error| Fail::Params(e.to_string());
        let (uri, text) = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams =
                    serde_json::from_value(n.params).map_err(params)?;
                (p.text_document.uri, p.text_document.text)
            }
            DidChangeTextDocument::METHOD => {
                let mut p: lsp_types::DidChangeTextDocumentParams =
                    serde_json::from_value(n.params).map_err(params)?;
                // Full sync: the last change holds the whole text.
                let Some(change) = p.content_changes.pop() else {
                    return Ok(());
                };
                (p.text_document.uri, change.text)
            }
            DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams =
                    serde_json::from_value(n.params).map_err(params)?;
                // The text the client sent (with the save, or when it opened or changed the
                // document); a document it never opened is not read from disk.
                let text = match p.text {
                    Some(t) => t,
                    None => match self.texts.get(p.text_document.uri.as_str()) {
                        Some(t) => t.clone(),
                        None => return Ok(()),
                    },
                };
                (p.text_document.uri, text)
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams =
                    serde_json::from_value(n.params).map_err(params)?;
                self.findings.remove(p.text_document.uri.as_str());
                self.texts.remove(p.text_document.uri.as_str());
                return publish(conn, p.text_document.uri, Vec::new()).map_err(Fail::Send);
            }
            _ => return Ok(()),
        };
        let linted = lint(&uri, &text);
        self.texts.insert(uri.as_str().to_string(), text);
        let linted = match linted {
            Ok(l) => l,
            Err((config, message)) => {
                // Shown on the config file and on the document, which is not linted.
                let shown = config
                    .as_deref()
                    .map_or_else(|| "the config".to_string(), |c| c.display().to_string());
                if let Some(config_uri) = config.as_deref().and_then(path_uri) {
                    self.config_errors.insert(config_uri.as_str().to_string());
                    publish(conn, config_uri, vec![at_start(message.clone())])
                        .map_err(Fail::Send)?;
                }
                self.findings.remove(uri.as_str());
                return publish(
                    conn,
                    uri,
                    vec![at_start(format!(
                        "not linted: {shown} is invalid: {message}"
                    ))],
                )
                .map_err(Fail::Send);
            }
        };
        if let Some(config_uri) = linted.config.as_deref().and_then(path_uri)
            && self.config_errors.remove(config_uri.as_str())
        {
            publish(conn, config_uri, Vec::new()).map_err(Fail::Send)?;
        }
        self.custom_docs = linted.docs;
        let diagnostics = linted.findings.iter().map(diagnostic).collect();
        self.findings
            .insert(uri.as_str().to_string(), linted.findings);
        publish(conn, uri, diagnostics).map_err(Fail::Send)
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
