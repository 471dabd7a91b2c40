//! roster-vectera against httpmock: for every operation, the exact request on the wire
//! (method, trailing-slash path, `Authorization: Token`, query, JSON body) and the typed value
//! the caller gets back; then the error paths.
//!
//! One module per topic under `vectera/`; the fixtures they share are here.

mod errors;
mod login;
mod meetings;
mod organizations;
mod users;

use std::time::{Duration, SystemTime};

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use roster_tests::{TOKEN, assert_no_secret, request, server};
use roster_vectera::prelude::*;
use roster_vectera::{ClientLoginExtraExt, Error, LoginLinkError, types};
use serde_json::json;

const AUTH: &str = "Token tok_5ecret_value_0123456789";
const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";
const ACCESS_KEY: &str = "z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5";
const LOGIN_URL: &str = "https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp";
/// Ids as Vectera's filter guide writes them (`ownerId = 8d077d9b-...`).
const STEVE: &str = "ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b";
const ADA: &str = "8d077d9b-528d-4d4c-bfe8-1a9945090b6d";
const ROOM: &str = "5b2f8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const PERMISSION: &str = "0f4e3d2c-1b0a-4987-8654-3210fedcba98";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn org() -> String {
    ORG.to_owned()
}

fn user_json(id: &str, managed: bool) -> serde_json::Value {
    json!({
        "id": id, "firstName": "Steve", "lastName": "Jobs", "email": "steve@example.com",
        "organizationId": ORG, "isManaged": managed
    })
}

fn meeting_json() -> serde_json::Value {
    json!({
        "id": ROOM, "key": "adviser-client-42",
        "url": "https://www.vectera.com/room/acme-advisers/adviser-client-42/",
        "ownerId": ADA, "dateCreated": "2026-01-15T09:30:00Z",
        "locked": true, "trashed": false, "publicAccessLevel": "should_knock",
        "forwardUrl": "https://www.example.com/thank-you"
    })
}
