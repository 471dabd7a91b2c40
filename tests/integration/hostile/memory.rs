//! Case 5, memory: a 200 MB answer or error body, streamed, is cut at the size cap quickly.

use super::*;

const HUGE: usize = 200 << 20;
const CHUNK: usize = 64 << 10;

/// A body of `HUGE` bytes streamed in chunks of `chunk` repeated (never built whole).
fn huge_body(head: &'static [u8], chunk: Bytes) -> Body {
    let n = HUGE / chunk.len();
    let stream = futures::stream::iter(
        std::iter::once(Bytes::from_static(head))
            .chain(std::iter::repeat_n(chunk, n))
            .map(Ok::<_, std::io::Error>),
    );
    Body::from_stream(stream)
}

fn user_chunk() -> Bytes {
    let item =
        br#"{"_id":"v1","first_name":"Bob","last_name":"Smith","emails":["bob@example.com"]},"#;
    Bytes::from(item.repeat(CHUNK / item.len()))
}

#[tokio::test]
async fn a_200_mb_answer_is_refused_at_the_size_cap_quickly() {
    let router = axum::Router::new().route(
        "/v2/users",
        axum::routing::get(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                huge_body(b"[", user_chunk()),
            )
        }),
    );
    let base = serve(router).await;
    let (p, sleeper) = provisioner_at(&base, &[Vendor::Vyte]);
    let started = Instant::now();
    let items = list_all(&p, Vendor::Vyte).await;
    let elapsed = started.elapsed();
    let err = items[0].as_ref().expect_err("too large");
    let cap = roster::Limits::DEFAULT.max_answer_bytes.to_string();
    assert!(
        err.to_string().contains(&cap),
        "names the {cap}-byte cap: {err}"
    );
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    assert!(
        sleeper.delays().is_empty(),
        "not retried: {:?}",
        sleeper.delays()
    );
}

#[tokio::test]
async fn a_200_mb_error_body_keeps_its_status_and_is_cut() {
    let router = axum::Router::new().route(
        "/users/",
        axum::routing::get(|| async {
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                huge_body(br#"{"detail": ""#, Bytes::from(vec![b'x'; CHUNK])),
            )
        }),
    );
    let base = serve(router).await;
    let (p, _) = provisioner_at(&base, &[Vendor::Vectera]);
    let started = Instant::now();
    let items = list_all(&p, Vendor::Vectera).await;
    let elapsed = started.elapsed();
    let err = items[0].as_ref().expect_err("400");
    assert_eq!(
        err.status(),
        Some(reqwest::StatusCode::BAD_REQUEST),
        "{err}"
    );
    let body = err.body().expect("a body");
    assert!(
        body.len() <= roster::MAX_BODY + 64,
        "{} bytes kept",
        body.len()
    );
    assert!(err.to_string().len() < 4 * roster::MAX_BODY);
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
}
