//! The facade's main flows against every answer shape the tolerance policy allows
//! (`Dialect::variants()`), all three vendors switched at once: ensure, ensure_all of the
//! example team, listing, a Vectera login link and a 401 — with per-route call counts showing
//! the batch endpoints were used with no fallback to one call per member, and no retry.

use futures::StreamExt;
use roster::{Config, Member, MemberReport, Outcome, Provisioner, Vendor};
use roster_sandbox::{Dialect, Sandbox};

/// The valid members of `examples/team.csv`, read with the CLI's column rules (the file has
/// no quoted fields): comment lines skipped, the row with a bad address left out.
fn example_team() -> Vec<Member> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/team.csv");
    let text = std::fs::read_to_string(path).expect("examples/team.csv");
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let list = |cell: &str| -> Vec<String> {
        cell.split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let text_cell = |cell: &str| (!cell.is_empty()).then(|| cell.to_owned());
    let mut team = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let get = |name: &str| cells.get(column(name)).copied().unwrap_or("").trim();
        let Ok(member) = Member::new(get("email"), get("first_name"), get("last_name")) else {
            continue;
        };
        let mut member = member.admin(get("admin") == "true");
        member.vectera.managed = get("vectera_managed") == "true";
        member.vyte.timezone = text_cell(get("vyte_timezone"));
        member.vyte.language = text_cell(get("vyte_language"));
        member.vyte.teams = list(get("vyte_teams"));
        member.veo.communities = list(get("veo_communities"))
            .iter()
            .map(|c| c.parse().expect("a group id"))
            .collect();
        team.push(member);
    }
    team
}

const VALID: usize = 11;

/// Generated members added after the team: more than one page (100) of every listing and
/// more than one batch ([`roster::BATCH_SIZE`]).
const CROWD: usize = 150;

/// The route each vendor creates one member through, and its batch create route.
const CREATE: [(Vendor, &str); 3] = [
    (Vendor::Vectera, "POST /users/"),
    (Vendor::Vyte, "POST /v2/users"),
    (Vendor::Veo, "POST /api/users/create"),
];

/// Every write route (not GET) a vendor has seen, with counts.
fn writes(sandbox: &Sandbox, vendor: Vendor) -> Vec<(String, usize)> {
    sandbox
        .all_calls(vendor)
        .into_iter()
        .filter(|(route, _)| !route.starts_with("GET "))
        .collect()
}

fn all_calls(sandbox: &Sandbox) -> String {
    Vendor::ALL
        .map(|v| format!("{v}: {:?}", sandbox.all_calls(v)))
        .join("\n")
}

/// Every vendor's outcome in `report` is what `want` accepts.
fn assert_all(name: &str, report: &MemberReport, what: &str, want: fn(&Outcome) -> bool) {
    assert_eq!(report.vendors.len(), 3, "{name}: {report:?}");
    for (vendor, outcome) in &report.vendors {
        assert!(
            want(outcome),
            "{name}: {} in {vendor}: expected {what}, got {outcome:?}",
            report.email
        );
    }
}

/// The calls of one run, per vendor and route: `now - before`.
fn delta(before: &[Vec<(String, usize)>], sandbox: &Sandbox, vendor: Vendor, route: &str) -> usize {
    let index = Vendor::ALL
        .iter()
        .position(|v| *v == vendor)
        .expect("vendor");
    let was = before[index]
        .iter()
        .find(|(r, _)| r == route)
        .map_or(0, |(_, n)| *n);
    sandbox.calls(vendor, route) - was
}

fn snapshot(sandbox: &Sandbox) -> Vec<Vec<(String, usize)>> {
    Vendor::ALL.map(|v| sandbox.all_calls(v)).to_vec()
}

/// The fake really answers in `dialect` (else the flows below would prove nothing): raw calls
/// to Vectera's fake of a sandbox of their own, each shape checked.
async fn answers_in(name: &str, dialect: Dialect) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox.set_dialect(Vendor::Vectera, dialect);
    let http = roster_runtime::http_client_with("roster-sandbox-test", None, None).expect("client");
    let base = sandbox.base_url(Vendor::Vectera);
    let token = format!("Token {}", sandbox.token(Vendor::Vectera));
    let send = |method: reqwest::Method, path: &str, body: Option<serde_json::Value>| {
        let mut request = http
            .request(method, format!("{base}{path}"))
            .header("authorization", &token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let answer = request.send().await.expect("an answer");
            let status = answer.status().as_u16();
            let link = answer
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let text = answer.text().await.expect("a body");
            (status, link, text)
        }
    };
    let json = |text: &str| -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}: {text:?}"))
    };

    let (_, _, me) = send(reqwest::Method::GET, "/users/me/", None).await;
    let organization = json(&me)["organizationId"].clone();
    let (status, _, created) = send(
        reqwest::Method::POST,
        "/users/",
        Some(serde_json::json!({
            "firstName": "Probe", "email": "probe@dialects.example",
            "organizationId": organization,
        })),
    )
    .await;
    let want = if dialect.created_as_200 { 200 } else { 201 };
    assert_eq!(status, want, "{name}: create: {created}");
    let id = json(&created)["id"].as_str().expect("an id").to_owned();
    let (status, _, updated) = send(
        reqwest::Method::PATCH,
        &format!("/users/{id}/"),
        Some(serde_json::json!({ "lastName": "Probed" })),
    )
    .await;
    if dialect.updates_empty {
        assert_eq!((status, updated.as_str()), (204, ""), "{name}: update");
    } else {
        assert_eq!(status, 200, "{name}: update");
        assert_eq!(json(&updated)["lastName"], "Probed", "{name}: update");
    }
    let (status, link, page) = send(reqwest::Method::GET, "/users/?perPage=1", None).await;
    assert_eq!(status, 200);
    let page = json(&page);
    if dialect.lists_as_arrays {
        assert_eq!(page.as_array().map(Vec::len), Some(1), "{name}: {page}");
        let link = link.unwrap_or_else(|| panic!("{name}: no Link header"));
        assert!(
            link.contains("page=2") && link.contains("rel=\"next\""),
            "{name}: {link}"
        );
    } else {
        assert_eq!(
            page["results"].as_array().map(Vec::len),
            Some(1),
            "{name}: {page}"
        );
        assert_eq!(link, None, "{name}");
    }
    let (_, _, none) = send(
        reqwest::Method::GET,
        "/users/?search=nobody-is-called-so",
        None,
    )
    .await;
    let none = json(&none);
    let empty = if dialect.lists_as_arrays {
        none.clone()
    } else {
        none["results"].clone()
    };
    let want = if dialect.null_for_empty_lists && !dialect.lists_as_arrays {
        serde_json::Value::Null
    } else {
        serde_json::json!([])
    };
    assert_eq!(empty, want, "{name}: {none}");
    let refused = http
        .get(format!("{base}/users/"))
        .header("authorization", "Token wrong")
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 401);
    let kind = refused
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let want = if dialect.text_errors {
        "text/plain"
    } else {
        "application/json"
    };
    assert!(kind.starts_with(want), "{name}: {kind}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variant_answers_in_its_shapes() {
    for (name, dialect) in Dialect::variants() {
        answers_in(name, dialect).await;
    }
}

async fn flows(index: usize) {
    let (name, dialect) = Dialect::variants()[index];
    let sandbox = Sandbox::start().await.expect("sandbox");
    for vendor in Vendor::ALL {
        sandbox.set_dialect(vendor, dialect);
    }
    let provisioner = Provisioner::new(&sandbox.config()).expect("a provisioner");
    let seeds = Vendor::ALL.map(|v| sandbox.user_count(v));
    let sandbox_users_before =
        |vendor: Vendor| seeds[Vendor::ALL.iter().position(|v| *v == vendor).expect("v")];

    // One member: created, then unchanged.
    let solo = Member::new("solo@dialects.example", "Solo", "Dialect").expect("a member");
    let report = provisioner.ensure(&solo).await;
    assert_all(name, &report, "created", |o| matches!(o, Outcome::Created));
    for (vendor, route) in CREATE {
        assert_eq!(
            sandbox.calls(vendor, route),
            usize::from(vendor != Vendor::Veo),
            "{name}: {vendor} creates once\n{}",
            all_calls(&sandbox)
        );
    }
    // VEO creates by invitation: one call for one member.
    assert_eq!(
        sandbox.calls(Vendor::Veo, "POST /api/userinvites/multiple"),
        1,
        "{name}\n{}",
        all_calls(&sandbox)
    );
    let before = snapshot(&sandbox);
    let report = provisioner.ensure(&solo).await;
    assert_all(name, &report, "unchanged", |o| {
        matches!(o, Outcome::Unchanged)
    });
    for vendor in Vendor::ALL {
        assert_eq!(
            writes(&sandbox, vendor),
            before[Vendor::ALL.iter().position(|v| *v == vendor).expect("v")]
                .iter()
                .filter(|(r, _)| !r.starts_with("GET "))
                .cloned()
                .collect::<Vec<_>>(),
            "{name}: {vendor}: unchanged writes nothing"
        );
    }

    // Changed details: updated with one write in every vendor (an update may answer 204 with
    // no body), then unchanged.
    // (A VEO invitee holds no names until it accepts: the admin role is what VEO compares.)
    let mut renamed = solo.clone().admin(true);
    renamed.last_name = "Renamed".to_owned();
    let before = snapshot(&sandbox);
    let report = provisioner.ensure(&renamed).await;
    assert_all(name, &report, "updated", |o| matches!(o, Outcome::Updated));
    for vendor in Vendor::ALL {
        let index = Vendor::ALL.iter().position(|v| *v == vendor).expect("v");
        let written = |calls: &[(String, usize)]| -> usize {
            calls
                .iter()
                .filter(|(r, _)| !r.starts_with("GET "))
                .map(|(_, n)| n)
                .sum()
        };
        assert_eq!(
            written(&sandbox.all_calls(vendor)) - written(&before[index]),
            1,
            "{name}: {vendor}: one update, not retried\n{}",
            all_calls(&sandbox)
        );
    }
    let report = provisioner.ensure(&renamed).await;
    assert_all(name, &report, "unchanged", |o| {
        matches!(o, Outcome::Unchanged)
    });

    // The example team: everyone created in every vendor, through the batch routes.
    let team = example_team();
    assert_eq!(team.len(), VALID);
    let before = snapshot(&sandbox);
    let reports = provisioner.ensure_all(&team).await;
    assert_eq!(reports.len(), VALID);
    for report in &reports {
        assert_all(name, report, "created", |o| matches!(o, Outcome::Created));
    }
    let calls = all_calls(&sandbox);
    let d = |vendor, route| delta(&before, &sandbox, vendor, route);
    // Vyte: one batch call, never one create per member; VEO: one invitation call, never
    // one create per member; Vectera (no batch route): each create exactly once.
    assert_eq!(
        d(Vendor::Vyte, "POST /v2/users/batch"),
        1,
        "{name}\n{calls}"
    );
    assert_eq!(d(Vendor::Vyte, "POST /v2/users"), 0, "{name}\n{calls}");
    assert_eq!(d(Vendor::Vyte, "PUT /v2/users/batch"), 0, "{name}\n{calls}");
    assert_eq!(
        d(Vendor::Veo, "POST /api/userinvites/multiple"),
        1,
        "{name}\n{calls}"
    );
    assert_eq!(
        d(Vendor::Veo, "POST /api/users/create"),
        0,
        "{name}\n{calls}"
    );
    assert_eq!(d(Vendor::Vectera, "POST /users/"), VALID, "{name}\n{calls}");
    // No retry: one look-up per member (Vectera, VEO); Vyte lists once, then once more to
    // confirm what the batch did (its answer is any JSON).
    assert_eq!(d(Vendor::Vectera, "GET /users/"), VALID, "{name}\n{calls}");
    assert_eq!(
        d(Vendor::Veo, "GET /api/users/get-all"),
        VALID,
        "{name}\n{calls}"
    );
    assert_eq!(d(Vendor::Vyte, "GET /v2/users"), 2, "{name}\n{calls}");
    for vendor in Vendor::ALL {
        assert_eq!(
            sandbox.user_count(vendor),
            sandbox_users_before(vendor) + 1 + VALID,
            "{name}: {vendor}"
        );
    }

    // Again: every member unchanged, no write route called.
    let before = snapshot(&sandbox);
    let reports = provisioner.ensure_all(&team).await;
    for report in &reports {
        assert_all(name, report, "unchanged", |o| {
            matches!(o, Outcome::Unchanged)
        });
    }
    for vendor in Vendor::ALL {
        let now = writes(&sandbox, vendor);
        let index = Vendor::ALL.iter().position(|v| *v == vendor).expect("v");
        let was: Vec<_> = before[index]
            .iter()
            .filter(|(r, _)| !r.starts_with("GET "))
            .cloned()
            .collect();
        assert_eq!(now, was, "{name}: {vendor}: the second run wrote");
    }
    assert_eq!(
        delta(&before, &sandbox, Vendor::Vyte, "GET /v2/users"),
        1,
        "{name}: one listing, no retry\n{}",
        all_calls(&sandbox)
    );

    // A crowd past one page and one batch: Vyte and VEO send one batch call per 100 new
    // members, still never one call per member.
    let crowd: Vec<Member> = (0..CROWD)
        .map(|i| {
            Member::new(
                &format!("crowd{i}@dialects.example"),
                format!("C{i}"),
                "Crowd",
            )
            .expect("a member")
        })
        .collect();
    let before = snapshot(&sandbox);
    let reports = provisioner.ensure_all(&crowd).await;
    for report in &reports {
        assert_all(name, report, "created", |o| matches!(o, Outcome::Created));
    }
    let calls = all_calls(&sandbox);
    let d = |vendor, route| delta(&before, &sandbox, vendor, route);
    let batches = CROWD.div_ceil(roster::BATCH_SIZE);
    assert_eq!(batches, 2);
    assert_eq!(
        d(Vendor::Vyte, "POST /v2/users/batch"),
        batches,
        "{name}\n{calls}"
    );
    assert_eq!(d(Vendor::Vyte, "POST /v2/users"), 0, "{name}\n{calls}");
    assert_eq!(
        d(Vendor::Veo, "POST /api/userinvites/multiple"),
        batches,
        "{name}\n{calls}"
    );
    assert_eq!(
        d(Vendor::Veo, "POST /api/users/create"),
        0,
        "{name}\n{calls}"
    );
    assert_eq!(d(Vendor::Vectera, "POST /users/"), CROWD, "{name}\n{calls}");

    // Listing: every account, in every vendor, across pages.
    let everyone: Vec<&Member> = team.iter().chain([&solo]).chain(&crowd).collect();
    for vendor in Vendor::ALL {
        let accounts: Vec<_> = provisioner.list(vendor).collect().await;
        let emails: Vec<String> = accounts
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|e| panic!("{name}: {vendor}: {e}"))
                    .email
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            })
            .collect();
        assert_eq!(
            emails.len(),
            sandbox.user_count(vendor),
            "{name}: {vendor}: {emails:?}"
        );
        for member in &everyone {
            assert!(
                emails.iter().any(|e| member.has_email(e)),
                "{name}: {vendor}: {} not listed in {emails:?}",
                member.email()
            );
        }
    }

    // A Vectera login link for a created member.
    let link = provisioner
        .vectera_login_link("claire.dubois@northwind.example", Some("/scheduling/"))
        .await
        .unwrap_or_else(|e| panic!("{name}: login link: {e}"));
    let link = link.expose().to_owned();
    let site = format!("http://{}/", sandbox.addr(Vendor::Vectera));
    assert!(link.starts_with(&site), "{name}: {link}");
    let answer = roster_runtime::http_client_with("roster-sandbox-test", None, None)
        .expect("a client")
        .get(&link)
        .send()
        .await
        .expect("the login page answers");
    assert!(
        answer.status().is_success() || answer.status().is_redirection(),
        "{name}: {link}: {}",
        answer.status()
    );

    // A wrong secret: a 401 in every vendor, not retried, with the vendor's status and text.
    let wrong = Vendor::ALL
        .into_iter()
        .try_fold(Config::default(), |config, vendor| {
            config.with(vendor, Some(&sandbox.base_url(vendor)), "not-the-secret")
        })
        .expect("a config");
    let intruder = Provisioner::new(&wrong).expect("a provisioner");
    let before = snapshot(&sandbox);
    let report = intruder.ensure(&solo).await;
    let texts = [
        (Vendor::Vectera, "Invalid token."),
        (Vendor::Vyte, "Unauthorized"),
        (
            Vendor::Veo,
            "Authorization has been denied for this request.",
        ),
    ];
    for (vendor, text) in texts {
        let Some(Outcome::Failed(e)) = report.outcome(vendor) else {
            panic!("{name}: {vendor}: {report:?}")
        };
        assert_eq!(
            e.status().map(|s| s.as_u16()),
            Some(401),
            "{name}: {vendor}: {e}"
        );
        let body = e.body().unwrap_or_default();
        assert!(body.contains(text), "{name}: {vendor}: body {body:?}");
        if dialect.text_errors {
            assert!(
                body.starts_with("401 Unauthorized: "),
                "{name}: {vendor}: the text body as sent: {body:?}"
            );
        }
        assert_eq!(e.attempts(), 1, "{name}: {vendor}: a 401 is not retried");
        let index = Vendor::ALL.iter().position(|v| *v == vendor).expect("v");
        let sent: usize = sandbox
            .all_calls(vendor)
            .iter()
            .map(|(_, n)| n)
            .sum::<usize>()
            - before[index].iter().map(|(_, n)| n).sum::<usize>();
        assert_eq!(
            sent,
            1,
            "{name}: {vendor}: one call, refused, not retried\n{}",
            all_calls(&sandbox)
        );
    }
    // The intruder created nothing.
    for vendor in Vendor::ALL {
        assert_eq!(
            sandbox.user_count(vendor),
            sandbox_users_before(vendor) + 1 + VALID + CROWD,
            "{name}: {vendor}"
        );
    }

    // No retry over the whole run: Vectera's `me` look-up (the organisation new members
    // join) exactly once, creates exactly once per member.
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "GET /users/{id}/"),
        1,
        "{name}\n{}",
        all_calls(&sandbox)
    );
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "POST /users/"),
        1 + VALID + CROWD,
        "{name}"
    );
}

macro_rules! each_dialect {
    ($($(#[$attr:meta])* $test:ident = $index:literal,)*) => {$(
        $(#[$attr])*
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            assert!(Dialect::variants().len() > $index);
            flows($index).await;
        }
    )*
    #[test]
    fn every_variant_has_its_test() {
        let names: Vec<&str> = Dialect::variants().iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), [$($index),*].len(), "{names:?}");
    }
    };
}

each_dialect! {
    documented = 0,
    lists_as_arrays = 1,
    created_as_200 = 2,
    updates_empty = 3,
    null_for_empty_lists = 4,
    text_errors = 5,
    all_alternatives = 6,
}
