//! The vyte fake. (Skeleton: routes are filled in by the vendor's implementation.)

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::App;

pub(crate) fn app(_token: String) -> App {
    App {
        router: Router::new(),
        base_path: BASE_PATH,
        users: Box::new(|| 0),
        error,
    }
}

const BASE_PATH: &str = "";

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "message": message })),
    )
        .into_response()
}
