use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::policy::arn::{Arn, is_account_id};
use crate::policy::conditions::denied_without_key;
use crate::policy::{PolicyDocument, PolicyKind, Principal, Statement};

declare_rule! {
    /// An Allow of `kms:Decrypt` with no `kms:ViaService` condition: the principal can decrypt directly,
    /// not only through the AWS service the key is meant for.
    pub struct KmsDecryptWithoutViaService {
        name: "kms-decrypt-without-via-service",
        category: Security,
        severity: Warning,
        summary: "`kms:Decrypt` allowed without a `kms:ViaService` or encryption-context condition; `info` on named keys and in key policies",
        kinds: [Identity, Trust, Resource, KeyPolicy, Endpoint, Scp, Rcp],
    }
}

/// The key policy statement that delegates to IAM (`"Principal": {"AWS": "arn:aws:iam::111122223333:root"}`)
/// grants nothing by itself: IAM policies in that account decide, and those are linted where they live.
/// Whichever account it is: `arn:aws:iam::${data.aws_caller_identity.current.account_id}:root`
/// (Terraform) or `arn:aws:iam::${AWS::AccountId}:root` (CloudFormation) delegates just the same.
fn delegates_to_account(st: &Statement, doc: &PolicyDocument) -> bool {
    let Some(p) = &st.principal else { return false };
    let mut values = p.values_of("AWS").peekable();
    values.peek().is_some()
        && values.all(|i| {
            // "AWS": !Ref AWS::AccountId — the template's own account id.
            if i.text.var_name().is_some_and(|v| doc.is_own_account_var(v)) {
                return true;
            }
            // `format("arn:%s:iam::%s:root", …)`: an expression that builds a root ARN.
            if i.text.var_name().is_some_and(|v| v.contains(":root")) {
                return true;
            }
            let v = i.text.masked();
            is_account_id(&v)
                || Arn::parse(&v).is_some_and(|a| a.service == "iam" && a.resource == "root")
        })
}

/// `"Principal": {"Service": "logs.us-east-1.amazonaws.com"}`: the key policy lets an AWS service
/// use the key on its own behalf (to encrypt log groups, SNS topics, RDS snapshots), the
/// documented way. `kms:ViaService` describes calls an IAM principal makes through a service, so
/// it does not apply to a service principal.
fn only_service_principals(st: &Statement) -> bool {
    let Some(p) = st.principal.as_ref().filter(|p| !p.negated) else {
        return false;
    };
    match &p.value {
        Principal::Map(m) => {
            !m.is_empty()
                && m.iter()
                    .all(|(k, items)| k.name == "Service" && !items.is_empty())
        }
        _ => false,
    }
}

/// A condition on the encryption context (`kms:EncryptionContext:PARAMETER_ARN`,
/// `kms:EncryptionContextKeys`) binds the grant to the ciphertexts one AWS service (or one
/// resource) made, the way AWS documents it for Parameter Store, Secrets Manager and others: it
/// narrows direct decryption as `kms:ViaService` does. Not when it only says that the key is
/// absent (`"Null": {"kms:EncryptionContext:…": "true"}`).
fn bound_to_encryption_context(st: &Statement) -> bool {
    st.condition.as_ref().is_some_and(|c| {
        c.operators.iter().any(|op| {
            op.entries.iter().any(|e| {
                let key = e.key.name.to_ascii_lowercase();
                key.starts_with("kms:encryptioncontext")
                    && !(op.op.base.eq_ignore_ascii_case("Null")
                        && e.values.iter().any(|v| {
                            v.literal().is_some_and(|t| t.eq_ignore_ascii_case("true"))
                        }))
            })
        })
    })
}

impl Rule for KmsDecryptWithoutViaService {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if !st.is_allow()
                || st.condition_unknown()
                || st.has_condition_key("kms:ViaService")
                || bound_to_encryption_context(st)
            {
                continue;
            }
            // Only `kms:` patterns: `"Action": "*"` is administrator access, another rule's finding.
            let Some(action) = st.service_action_item_covering("kms:Decrypt") else {
                continue;
            };
            if doc.kind == PolicyKind::KeyPolicy
                && (delegates_to_account(st, doc) || only_service_principals(st))
            {
                continue;
            }
            // A `Deny` of the policy refuses the grant outside `kms:ViaService`.
            if denied_without_key(doc, st, "kms:ViaService") {
                continue;
            }
            let a = action.text.display();
            let message = if a.eq_ignore_ascii_case("kms:Decrypt") {
                format!("`{a}` allowed without a `kms:ViaService` condition")
            } else {
                format!("`{a}` allows `kms:Decrypt` without a `kms:ViaService` condition")
            };
            let mut f = cx
                .finding(action.span, message)
                .label("allows `kms:Decrypt` from anywhere, not only through an AWS service")
                .help("add a condition such as `\"StringEquals\": {\"kms:ViaService\": \"secretsmanager.us-east-1.amazonaws.com\"}`");
            // On named keys the grant is already limited to them: worth a look, not a failed
            // run. On every key (`*`, `NotResource`) it is a warning. In a key policy `*` is the
            // key the policy is attached to, never another one.
            if doc.kind == PolicyKind::KeyPolicy {
                f = f
                    .severity(Severity::Info)
                    .label("allows `kms:Decrypt` with this key directly, not only through an AWS service");
            } else if st.all_resources().is_none() && st.resource.is_some() {
                f = f
                    .severity(Severity::Info)
                    .label("allows `kms:Decrypt` on the named keys directly, not only through an AWS service");
            }
            f = match &st.condition {
                Some(c) => f.secondary(c.key.span, "no `kms:ViaService` key in this condition"),
                None => f.secondary(st.effect_span(), "this statement allows it"),
            };
            cx.report(f);
        }
    }
}
