//! Per-request overhead of a generated client against a hand-written reqwest call.
//!
//! Both sides send the same request to the same in-process axum server on 127.0.0.1 —
//! Vyte's `GET /v2/users/{user_id}` with `Accept: application/json` and the raw API key in
//! `Authorization` — and decode the same JSON answer (the spec's example user) into the same
//! struct, `roster_vyte::types::User`. Decoding is therefore identical on both sides: what
//! differs is only what the generated client adds per call (builder, URL building, the
//! auth hook, status dispatch, `ResponseValue`).
//!
//! Each side has its own `reqwest::Client` from `roster_runtime::http_client` (the transport
//! `Client::new` uses: keep-alive pool, timeouts, no redirects), shared by every request.
//!
//! Two parts, in one binary:
//! 1. criterion: time per iteration of one request, and of 64 concurrent requests
//!    (`Throughput::Elements(64)`, so criterion prints requests per second too);
//! 2. a latency pass (criterion reports no percentiles): rounds of requests on both sides,
//!    interleaved, printing median requests/s, p50 and p99 latency and the ratio
//!    generated / hand-written as a Markdown table.
//!
//! `cargo bench -p roster-tests --bench client` runs both; `-- --quick` shortens both.
//!
//! A third mode gives a figure that survives a busy machine: `client --callgrind SIDE N`
//! (SIDE `generated` or `hand-written`) makes N sequential requests on one side from inside
//! one function, `callgrind_generated` or `callgrind_hand_written`, on a single-threaded
//! runtime of its own, while the server runs on another thread. `cargo xtask bench client`
//! runs it under `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=<that
//! function>`: only the client thread's instructions inside the function are counted (the
//! server's thread never enters it), and the connection is opened by warm-up calls before.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use criterion::{Criterion, Throughput, criterion_group};
use futures::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use roster_vyte::types::User;
use tokio::runtime::Runtime;

/// The API key both sides send.
const KEY: &str = "bench-key-0123456789";
/// The user both sides ask for.
const USER_ID: &str = "5ef4a0bd136440c65930a3da";
/// Requests in flight at once in the concurrent cases.
const CONCURRENCY: usize = 64;

/// The answer: the example of `GET /v2/users/{user_id}` in specs/vyte.yaml.
const USER_JSON: &str = r#"{"_id":"5ef4a0bd136440c65930a3da","emails":["jean.dupont@example.com"],"first_name":"Jean","last_name":"Dupont","full_name":"Jean Dupont","language":"en","timezone":"Europe/Paris","signedup_with":"api","createdAt":"2020-06-25T13:03:57.791Z","updatedAt":"2020-06-25T14:20:34.652Z","__v":0}"#;

/// Starts the server on an ephemeral loopback port; answers its address.
async fn serve() -> SocketAddr {
    let app = Router::new().route(
        "/v2/users/{user_id}",
        get(|| async { ([(CONTENT_TYPE, "application/json")], USER_JSON) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("server runs") });
    addr
}

/// The two ways of making the same call.
struct Clients {
    generated: roster_vyte::Client,
    hand: HandWritten,
}

impl Clients {
    fn new(addr: SocketAddr) -> Self {
        let base = format!("http://{addr}");
        let http = || roster_runtime::http_client("roster-bench/0").expect("HTTP client");
        let generated =
            roster_vyte::Client::with_http_client(&base, KEY, http()).expect("generated client");
        let mut auth = HeaderValue::from_static(KEY);
        auth.set_sensitive(true);
        Self {
            generated,
            hand: HandWritten {
                http: http(),
                base,
                auth,
            },
        }
    }

    /// One call through the side named by `hand`.
    async fn call(&self, hand: bool) -> User {
        if hand {
            self.hand.get_user(USER_ID).await
        } else {
            generated_get_user(&self.generated, USER_ID).await
        }
    }
}

/// The generated client's call, as an SDK user writes it.
async fn generated_get_user(client: &roster_vyte::Client, id: &str) -> User {
    use roster_vyte::prelude::*;
    client
        .get_user()
        .user_id(id)
        .send()
        .await
        .expect("generated call succeeds")
        .into_inner()
}

/// What a careful hand-written client does: one prepared auth header, a formatted URL,
/// reqwest's JSON decoding.
struct HandWritten {
    http: reqwest::Client,
    base: String,
    auth: HeaderValue,
}

impl HandWritten {
    async fn get_user(&self, id: &str) -> User {
        self.http
            .get(format!("{}/v2/users/{id}", self.base))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(AUTHORIZATION, self.auth.clone())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("hand-written call succeeds")
            .json::<User>()
            .await
            .expect("hand-written body decodes")
    }
}

/// Both sides must send and decode the same thing before being compared.
fn same_answer(rt: &Runtime, clients: &Clients) {
    let (generated, hand) =
        rt.block_on(async { (clients.call(false).await, clients.call(true).await) });
    assert_eq!(generated, hand, "both sides decode the same user");
    assert_eq!(generated.id.as_deref(), Some(USER_ID));
}

/// `(runtime, clients)`: a multi-threaded runtime (the server and the clients share it, as an
/// application and a local sidecar would), with the server started.
fn setup() -> (Runtime, Clients) {
    let rt = Runtime::new().expect("tokio runtime");
    let addr = rt.block_on(serve());
    let clients = Clients::new(addr);
    same_answer(&rt, &clients);
    (rt, clients)
}

const SIDES: [(&str, bool); 2] = [("generated", false), ("hand-written", true)];

fn bench_client(c: &mut Criterion) {
    let (rt, clients) = setup();

    let mut single = c.benchmark_group("get_user/single");
    single.throughput(Throughput::Elements(1));
    for (name, hand) in SIDES {
        single.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(clients.call(hand).await) });
        });
    }
    single.finish();

    let mut concurrent = c.benchmark_group(format!("get_user/concurrent-{CONCURRENCY}"));
    concurrent.throughput(Throughput::Elements(CONCURRENCY as u64));
    for (name, hand) in SIDES {
        concurrent.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let users = futures::future::join_all((0..CONCURRENCY).map(|_| clients.call(hand)));
                black_box(users.await)
            });
        });
    }
    concurrent.finish();
}

criterion_group!(benches, bench_client);

/// What one side achieved in the latency pass.
struct Figures {
    /// Median over rounds of requests per second.
    rps: f64,
    p50: Duration,
    p99: Duration,
}

/// The `q` quantile (0..=1) of sorted latencies (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank: the smallest value with at least q of the samples at or below it.
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// One round: `requests` calls on one side with at most `in_flight` at once; answers the
/// round's wall time and each request's latency.
async fn round(
    clients: &Clients,
    hand: bool,
    requests: usize,
    in_flight: usize,
) -> (Duration, Vec<Duration>) {
    let start = Instant::now();
    let latencies = futures::stream::iter(0..requests)
        .map(|_| async {
            let sent = Instant::now();
            black_box(clients.call(hand).await);
            sent.elapsed()
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await;
    (start.elapsed(), latencies)
}

/// Runs `rounds` rounds per side, alternating which side goes first so drift (a noisy
/// neighbour, CPU frequency) hits both alike. Answers `[generated, hand-written]`.
fn latency_pass(
    rt: &Runtime,
    clients: &Clients,
    rounds: usize,
    requests: usize,
    in_flight: usize,
) -> [Figures; 2] {
    let mut rps: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut latencies: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    // Warm-up: connections opened, allocator and caches settled.
    for (_, hand) in SIDES {
        rt.block_on(round(clients, hand, requests / 4 + 1, in_flight));
    }
    for r in 0..rounds {
        let order = if r.is_multiple_of(2) {
            SIDES
        } else {
            [SIDES[1], SIDES[0]]
        };
        for (_, hand) in order {
            let (wall, mut each) = rt.block_on(round(clients, hand, requests, in_flight));
            rps[usize::from(hand)].push(requests as f64 / wall.as_secs_f64());
            latencies[usize::from(hand)].append(&mut each);
        }
    }
    [0, 1].map(|side| {
        latencies[side].sort_unstable();
        Figures {
            rps: median(&mut rps[side]),
            p50: quantile(&latencies[side], 0.50),
            p99: quantile(&latencies[side], 0.99),
        }
    })
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// The latency pass over both modes, printed as a Markdown table.
fn report(quick: bool) {
    let (rt, clients) = setup();
    let (rounds, scale) = if quick { (3, 1) } else { (11, 4) };
    println!(
        "\nLatency pass: {rounds} rounds per side and mode, interleaved; requests/s is the \
         median over rounds, p50/p99 over every request of all rounds."
    );
    println!(
        "\n| mode | generated req/s | hand-written req/s | ratio | generated p50 / p99 | hand-written p50 / p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (mode, requests, in_flight) in [
        ("single".to_owned(), 500 * scale, 1),
        (
            format!("{CONCURRENCY} concurrent"),
            40 * CONCURRENCY * scale,
            CONCURRENCY,
        ),
    ] {
        let [generated, hand] = latency_pass(&rt, &clients, rounds, requests, in_flight);
        println!(
            "| {mode} | {:.0} | {:.0} | {:.1}% | {} / {} | {} / {} |",
            generated.rps,
            hand.rps,
            100.0 * generated.rps / hand.rps,
            micros(generated.p50),
            micros(generated.p99),
            micros(hand.p50),
            micros(hand.p99),
        );
    }
}

/// Requests made before the counted ones (connection opened, buffers and caches settled).
const CALLGRIND_WARM_UP: usize = 20;

/// `--callgrind SIDE N`: warm-up calls, then N sequential calls of one side inside the
/// function callgrind counts. The server runs on its own thread and runtime.
fn callgrind_mode(side: &str, requests: usize) {
    let hand = match side {
        "generated" => false,
        "hand-written" => true,
        other => panic!("--callgrind takes `generated` or `hand-written`, got `{other}`"),
    };
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let server = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        server.block_on(async {
            addr_tx.send(serve().await).expect("send the address");
            std::future::pending::<()>().await;
        });
    });
    let addr = addr_rx.recv().expect("server address");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let clients = Clients::new(addr);
    same_answer(&rt, &clients);
    rt.block_on(async {
        for _ in 0..CALLGRIND_WARM_UP {
            black_box(clients.call(hand).await);
        }
    });
    if hand {
        callgrind_hand_written(&rt, &clients, requests);
    } else {
        callgrind_generated(&rt, &clients, requests);
    }
    println!("{side}: {requests} requests");
}

/// The counted part of `--callgrind generated` (its name is the `--toggle-collect` pattern).
#[inline(never)]
fn callgrind_generated(rt: &Runtime, clients: &Clients, requests: usize) {
    rt.block_on(async {
        for _ in 0..requests {
            black_box(generated_get_user(&clients.generated, USER_ID).await);
        }
    });
}

/// The counted part of `--callgrind hand-written`.
#[inline(never)]
fn callgrind_hand_written(rt: &Runtime, clients: &Clients, requests: usize) {
    rt.block_on(async {
        for _ in 0..requests {
            black_box(clients.hand.get_user(USER_ID).await);
        }
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--callgrind") {
        let side = args.get(at + 1).map_or("", String::as_str);
        let requests = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .expect("--callgrind SIDE N: N requests");
        callgrind_mode(side, requests);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs each benchmark once with `--test`: skip the long pass then;
    // `--list` only lists.
    if args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }
    report(args.iter().any(|a| a == "--quick"));
}
