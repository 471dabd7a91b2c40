//! A sandbox that remembers: what the facade provisioned into a persistent sandbox is there
//! after a restart on the same directory (ids not given twice), a bad state file is refused
//! with a message naming it, `reset` forgets, one sandbox at a time holds a directory, and a
//! save that fails is answered as a failure.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::Path;

use futures::StreamExt;
use roster::vectera::types::AccessLevel;
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::Sandbox;
use serde_json::Value;

fn member(i: usize) -> Member {
    Member::new(
        &format!("keeper{i}@northwind.example"),
        format!("Keeper{i}"),
        "Hart",
    )
    .expect("a valid member")
    .admin(i == 0)
}

async fn persistent(dir: &Path) -> Sandbox {
    Sandbox::start_persistent(dir)
        .await
        .expect("a persistent sandbox")
}

fn provisioner(sandbox: &Sandbox) -> Provisioner {
    Provisioner::new(&sandbox.config()).expect("a provisioner")
}

/// Every user the facade lists in `vendor`: `(email, id)`.
async fn listed(sandbox: &Sandbox, vendor: Vendor) -> BTreeSet<(String, String)> {
    provisioner(sandbox)
        .list(vendor)
        .map(|account| {
            let account = account.expect("a listed account");
            (account.email.unwrap_or_default(), account.id)
        })
        .collect()
        .await
}

fn all(reports: &[roster::MemberReport], want: fn(&Outcome) -> bool) -> bool {
    reports
        .iter()
        .all(|r| r.vendors.iter().all(|(_, o)| want(o)))
}

fn state_file(dir: &Path, vendor: Vendor) -> std::path::PathBuf {
    dir.join(format!("{}.json", vendor.name()))
}

/// Vectera's meeting rooms, raw: (key, owner id) of each.
async fn meetings(sandbox: &Sandbox) -> Vec<(String, String)> {
    let auth = format!("Token {}", sandbox.token(Vendor::Vectera));
    let (status, body) = crate::support::raw(
        sandbox,
        Vendor::Vectera,
        reqwest::Method::GET,
        "/meetings/",
        Some(&auth),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["results"]
        .as_array()
        .expect("a DRF page")
        .iter()
        .map(|m| {
            (
                m["key"].as_str().unwrap_or_default().to_owned(),
                m["ownerId"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_persistent_sandbox_remembers_what_was_provisioned_and_gives_no_id_twice() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let team: Vec<Member> = (0..3).map(member).collect();

    let first = persistent(dir.path()).await;
    assert_eq!(
        first.state_dir(),
        Some(dir.path()),
        "the directory, absolute"
    );
    let reports = provisioner(&first).ensure_all(&team).await;
    assert!(
        all(&reports, |o| matches!(o, Outcome::Created)),
        "{reports:?}"
    );
    let room = provisioner(&first)
        .vectera_meeting_room(team[0].email(), Some("keepers-room"), AccessLevel::IsHost)
        .await
        .expect("a meeting room");
    let counts: Vec<usize> = Vendor::ALL.map(|v| first.user_count(v)).to_vec();
    assert_eq!(counts, [4, 3, 3], "Vectera also holds the token's own user");
    let mut before = Vec::new();
    for vendor in Vendor::ALL {
        before.push(listed(&first, vendor).await);
    }
    drop(first);

    for vendor in Vendor::ALL {
        let text = std::fs::read_to_string(state_file(dir.path(), vendor)).expect("a state file");
        let file: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(file["format"], 1, "{vendor}");
        assert_eq!(file["vendor"], vendor.name());
        assert!(file["state"].is_object(), "{vendor}: {text}");
    }

    let second = persistent(dir.path()).await;
    assert_eq!(
        Vendor::ALL.map(|v| second.user_count(v)).to_vec(),
        counts,
        "every user is back"
    );
    for (vendor, before) in Vendor::ALL.into_iter().zip(&before) {
        assert_eq!(
            &listed(&second, vendor).await,
            before,
            "{vendor}: same users, same ids"
        );
    }
    let rooms = meetings(&second).await;
    assert_eq!(rooms.len(), 1, "{rooms:?}");
    assert_eq!(rooms[0].0, "keepers-room");
    assert_eq!(Some(rooms[0].0.clone()), room.meeting.key);
    assert_eq!(
        Some(rooms[0].1.clone()),
        room.meeting.owner_id,
        "the owner is the same user"
    );

    // The team is as wanted: nothing to write.
    let again = provisioner(&second).ensure_all(&team).await;
    assert!(
        all(&again, |o| matches!(o, Outcome::Unchanged)),
        "{again:?}"
    );
    // A newcomer gets ids nobody had.
    let newcomer = provisioner(&second).ensure(&member(3)).await;
    assert!(
        newcomer
            .vendors
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Created)),
        "{newcomer:?}"
    );
    let removed = provisioner(&second).remove(team[1].email()).await;
    assert!(
        removed
            .vendors
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Removed)),
        "{removed:?}"
    );
    for (vendor, before) in Vendor::ALL.into_iter().zip(&before) {
        let now = listed(&second, vendor).await;
        let new: Vec<_> = now.difference(before).collect();
        assert_eq!(new.len(), 1, "{vendor}: {new:?}");
        assert_eq!(new[0].0, "keeper3@northwind.example");
        let old_ids: BTreeSet<&String> = before.iter().map(|(_, id)| id).collect();
        assert!(
            !old_ids.contains(&new[0].1),
            "{vendor}: id {} given twice",
            new[0].1
        );
    }
    drop(second);

    // The removal and the newcomer were kept too.
    let third = persistent(dir.path()).await;
    let found = provisioner(&third).find(team[1].email()).await;
    assert!(
        found.iter().all(|(_, r)| matches!(r, Ok(None))),
        "{found:?}"
    );
    let found = provisioner(&third).find("keeper3@northwind.example").await;
    assert!(
        found.iter().all(|(_, r)| matches!(r, Ok(Some(_)))),
        "{found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_in_flight_together_are_all_kept() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sandbox = persistent(dir.path()).await;
    let provisioner = provisioner(&sandbox).with_concurrency(16);
    // Vectera has no batch call: one create per member, 16 in flight, each saved before its
    // answer (saves arriving together share one write).
    let config = crate::support::config(&sandbox, Vendor::Vectera);
    let vectera = Provisioner::new(&config)
        .expect("a provisioner")
        .with_concurrency(16);
    let team: Vec<Member> = (10..70).map(member).collect();
    let reports = vectera.ensure_all(&team).await;
    assert!(
        all(&reports, |o| matches!(o, Outcome::Created)),
        "{reports:?}"
    );
    let futures = (70..90).map(|i| {
        let provisioner = &provisioner;
        async move { provisioner.ensure(&member(i)).await }
    });
    let reports = futures::future::join_all(futures).await;
    assert!(
        !reports
            .iter()
            .any(|r| r.vendors.iter().any(|(_, o)| o.is_failure()))
    );
    let counts = Vendor::ALL.map(|v| sandbox.user_count(v));
    assert_eq!(counts, [81, 20, 20]);
    drop(sandbox);

    let again = persistent(dir.path()).await;
    assert_eq!(
        Vendor::ALL.map(|v| again.user_count(v)),
        counts,
        "every write kept"
    );
}

#[tokio::test]
async fn a_bad_state_file_is_refused_naming_it_and_the_way_out() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let vyte = state_file(dir.path(), Vendor::Vyte);
    let vectera_state = {
        let sandbox = persistent(dir.path()).await;
        let report = provisioner(&sandbox).ensure(&member(0)).await;
        assert!(
            !report.vendors.iter().any(|(_, o)| o.is_failure()),
            "{report:?}"
        );
        drop(sandbox);
        std::fs::read(state_file(dir.path(), Vendor::Vectera)).expect("Vectera's file")
    };
    let cases: [(&[u8], &str); 6] = [
        (
            b"{\"format\": 1, \"vendor\": \"vy",
            "is not a sandbox state file",
        ),
        (b"\xff\xfe not text", "is not UTF-8 text"),
        (
            b"{\"format\": 2, \"vendor\": \"vyte\", \"state\": {}}",
            "is in format 2, and this sandbox reads format 1",
        ),
        (
            b"{\"vendor\": \"vyte\", \"state\": {}}",
            "names no `format`",
        ),
        (
            &vectera_state,
            "holds the state of `vectera`, not of `vyte`",
        ),
        (
            b"{\"format\": 1, \"vendor\": \"vyte\", \"state\": {\"users\": 3}}",
            "its `state` is not vyte's",
        ),
    ];
    for (content, why) in cases {
        std::fs::write(&vyte, content).expect("written");
        let error = Sandbox::start_persistent(dir.path())
            .await
            .expect_err("a bad file is refused");
        assert_eq!(error.kind(), ErrorKind::InvalidData, "{error}");
        let message = error.to_string();
        assert!(message.contains(&vyte.display().to_string()), "{message}");
        assert!(message.contains(why), "{why}: {message}");
        assert!(message.contains("run `roster sandbox reset`"), "{message}");
    }

    // The refused start released the directory; a reset clears the way.
    let removed = roster_sandbox::reset(dir.path()).expect("reset");
    assert!(removed.files.contains(&vyte), "{removed:?}");
    let sandbox = persistent(dir.path()).await;
    assert_eq!(sandbox.user_count(Vendor::Vyte), 0);
    assert_eq!(
        sandbox.user_count(Vendor::Vectera),
        1,
        "the token's own user"
    );
}

#[tokio::test]
async fn reset_removes_exactly_the_sandbox_files_and_the_next_start_is_empty() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let state = dir.path().join("state");
    let running = persistent(&state).await;
    let reports = provisioner(&running)
        .ensure_all(&[member(0), member(1)])
        .await;
    assert!(
        all(&reports, |o| matches!(o, Outcome::Created)),
        "{reports:?}"
    );

    // Not while a sandbox uses the directory.
    let refused = roster_sandbox::reset(&state).expect_err("the directory is in use");
    assert_eq!(refused.kind(), ErrorKind::ResourceBusy, "{refused}");
    assert!(state_file(&state, Vendor::Vyte).exists(), "nothing deleted");
    drop(running);

    // A leftover of an interrupted save goes too; a file the sandbox does not own stays.
    std::fs::write(state.join("veo.json.tmp"), b"{\"format\": 1").expect("written");
    std::fs::write(state.join("notes.txt"), b"mine").expect("written");
    let removed = roster_sandbox::reset(&state).expect("reset");
    let names: Vec<String> = removed
        .files
        .iter()
        .map(|f| {
            f.file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "vectera.json",
            "vyte.json",
            "veo.json",
            "veo.json.tmp",
            "lock"
        ]
    );
    assert_eq!(removed.state_files(), 3);
    assert_eq!(removed.dir, state);
    assert!(state.join("notes.txt").exists(), "not the sandbox's");

    let fresh = persistent(&state).await;
    assert_eq!(
        Vendor::ALL.map(|v| fresh.user_count(v)).to_vec(),
        [1, 0, 0],
        "empty but for Vectera's own user"
    );
    drop(fresh);

    // Nothing there, nothing to do: a missing directory, or one already reset.
    let missing = roster_sandbox::reset(dir.path().join("never")).expect("fine");
    assert!(missing.is_empty(), "{missing:?}");
    assert!(!dir.path().join("never").exists(), "not created");
    roster_sandbox::reset(&state).expect("reset");
    let twice = roster_sandbox::reset(&state).expect("reset");
    assert!(twice.is_empty(), "{twice:?}");
}

#[tokio::test]
async fn one_sandbox_at_a_time_holds_a_state_directory() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let first = persistent(dir.path()).await;
    let error = Sandbox::start_persistent(dir.path())
        .await
        .expect_err("the directory is in use");
    assert_eq!(error.kind(), ErrorKind::ResourceBusy, "{error}");
    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "the sandbox state directory {} is in use by another sandbox",
            dir.path().display()
        )),
        "{message}"
    );
    // Another directory is fine meanwhile, and so is an in-memory sandbox.
    let other = tempfile::tempdir().expect("a temporary directory");
    let _elsewhere = persistent(other.path()).await;
    let memory = Sandbox::start().await.expect("in memory");
    assert_eq!(memory.state_dir(), None);

    drop(first);
    let again = persistent(dir.path()).await;
    assert_eq!(again.state_dir(), Some(dir.path()));
}

#[tokio::test]
async fn a_write_that_cannot_be_saved_is_answered_as_a_failure() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sandbox = persistent(dir.path()).await;
    // The temporary file's name taken by a directory: the save fails (even for root).
    let blocker = dir.path().join("vyte.json.tmp");
    std::fs::create_dir(&blocker).expect("a directory");
    let key = sandbox.token(Vendor::Vyte).to_owned();
    let body = r#"{"email": "unsaved@northwind.example"}"#;
    let (status, answer) = crate::support::raw(
        &sandbox,
        Vendor::Vyte,
        reqwest::Method::POST,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        Some(body),
    )
    .await;
    assert_eq!(status, 500, "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("cannot save the vyte state to")
            && message.contains(&state_file(dir.path(), Vendor::Vyte).display().to_string()),
        "{message}"
    );
    assert_eq!(answer["statusCode"], 500, "Vyte's error shape");
    // A read is not a write: it is answered without a save.
    let (status, _) = crate::support::raw(
        &sandbox,
        Vendor::Vyte,
        reqwest::Method::GET,
        "/v2/users",
        Some(&key),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);

    std::fs::remove_dir(&blocker).expect("removed");
    let report = provisioner(&sandbox).ensure(&member(5)).await;
    assert!(
        !report.vendors.iter().any(|(_, o)| o.is_failure()),
        "{report:?}"
    );
    drop(sandbox);
    let text = std::fs::read_to_string(state_file(dir.path(), Vendor::Vyte)).expect("saved");
    assert!(text.contains("keeper5@northwind.example"), "{text}");
}
