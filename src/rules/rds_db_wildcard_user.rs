use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;
use crate::policy::arn::{Arn, has_unknown};

declare_rule! {
    /// `rds-db:connect` allowed on a resource that lets any database user connect.
    pub struct RdsDbWildcardUser {
        name: "rds-db-wildcard-user",
        category: Security,
        severity: Warning,
        summary: "`rds-db:connect` allowed for any database user (`dbuser:*/*`, `dbuser:*`, `*`)",
        kinds: [Identity, Trust, Resource, KeyPolicy, Endpoint, Scp, Rcp],
    }
}

/// Which part of a `dbuser` resource is a wildcard.
enum Scope {
    AnyDatabaseAnyUser,
    AnyUserOf,
    /// `dbuser:*/jane_doe`: one user name in every database, as AWS's own examples do.
    UserInAnyDatabase,
}

/// Reads the resource part of an `rds-db` ARN (`dbuser:db-ABC/*`). `None` when it is scoped or not
/// known.
fn scope(resource: &str) -> Option<Scope> {
    if has_unknown(resource) {
        // `dbuser:${DbiResourceId}/*` is still any user of one database; only the user part counts.
        let (_, user) = resource.strip_prefix("dbuser:")?.split_once('/')?;
        return (user == "*" && !has_unknown(user)).then_some(Scope::AnyUserOf);
    }
    if resource == "*" || resource == "dbuser*" || resource == "dbuser:*" {
        return Some(Scope::AnyDatabaseAnyUser);
    }
    let rest = resource.strip_prefix("dbuser:")?;
    let (db, user) = rest.split_once('/')?;
    match (db == "*", user == "*") {
        (true, true) => Some(Scope::AnyDatabaseAnyUser),
        (false, true) => Some(Scope::AnyUserOf),
        (true, false) => Some(Scope::UserInAnyDatabase),
        (false, false) => None,
    }
}

impl Rule for RdsDbWildcardUser {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if !st.is_allow() || st.condition_unknown() {
                continue;
            }
            let Some(action) = st.action_item_covering("rds-db:connect") else {
                continue;
            };
            let via_star = action.literal() == Some("*");
            let Some(resources) = st.resource.as_ref().filter(|r| !r.negated) else {
                continue;
            };
            for item in &resources.items {
                let masked = item.text.masked();
                let (scope, what) = if masked == "*" {
                    // `"Action": "*"` on `"Resource": "*"` is administrator access, another rule's.
                    if via_star {
                        continue;
                    }
                    (
                        Scope::AnyDatabaseAnyUser,
                        "every database user of every database",
                    )
                } else {
                    let Some(arn) = Arn::parse(&masked) else {
                        continue;
                    };
                    if arn.service != "rds-db" {
                        continue;
                    }
                    match scope(arn.resource) {
                        Some(Scope::AnyDatabaseAnyUser) => (
                            Scope::AnyDatabaseAnyUser,
                            "any database user of any database: both the database and the user are wildcards",
                        ),
                        Some(Scope::AnyUserOf) => (
                            Scope::AnyUserOf,
                            "any database user of this database: the user name is a wildcard",
                        ),
                        Some(Scope::UserInAnyDatabase) => (
                            Scope::UserInAnyDatabase,
                            "this user name in any database: the database is a wildcard",
                        ),
                        None => continue,
                    }
                };
                let mut f = cx
                    .finding(
                        item.span,
                        format!(
                            "`rds-db:connect` allowed on `{}` lets {what}",
                            item.text.display()
                        ),
                    )
                    .label("wildcard database user")
                    .secondary(action.span, "allows `rds-db:connect`")
                    .help("name the database resource id and the user: `dbuser:db-ABCDEFGHIJKL01234/app_user`");
                if let Scope::UserInAnyDatabase = scope {
                    f = f
                        .severity(Severity::Info)
                        .label("one user name, any database")
                        .help("this is the pattern of AWS's own examples; name the database resource id to scope it further");
                }
                cx.report(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert!(matches!(
            scope("dbuser:*/*"),
            Some(Scope::AnyDatabaseAnyUser)
        ));
        assert!(matches!(scope("dbuser:*"), Some(Scope::AnyDatabaseAnyUser)));
        assert!(matches!(scope("dbuser:db-ABC/*"), Some(Scope::AnyUserOf)));
        assert!(matches!(
            scope("dbuser:*/jane"),
            Some(Scope::UserInAnyDatabase)
        ));
        assert!(scope("dbuser:db-ABC/jane").is_none());
        assert!(scope("dbuser:db-ABC/\u{FFFC}").is_none());
        assert!(matches!(scope("dbuser:\u{FFFC}/*"), Some(Scope::AnyUserOf)));
    }
}
