//! The load a benchmark puts on a server and on its database: keep-alive HTTP/1.1 clients,
//! loops of steps timed one by one, and what `/proc` says of a process.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Latencies of one phase.
#[derive(Debug, Clone, Default)]
pub struct Load {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl Load {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn from(mut times: Vec<Duration>, errors: u64, elapsed: Duration) -> Self {
        times.sort();
        let at = |q: f64| {
            times
                .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Self {
            requests: times.len() as u64,
            errors,
            elapsed,
            p50: at(0.50),
            p99: at(0.99),
        }
    }
}

/// One keep-alive HTTP/1.1 connection that posts the query and reads whole answers.
pub(super) struct Client {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl Client {
    pub(super) async fn connect(addr: &str, token: &str, query: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("could not connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let body = serde_json::json!({ "query": query }).to_string();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        Ok(Self {
            stream,
            request,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    /// Sends the query once; `Ok(true)` for a 200 without GraphQL errors.
    pub(super) async fn once(&mut self) -> anyhow::Result<bool> {
        self.stream.write_all(&self.request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        let (head_end, length) = loop {
            let n = self.stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some((body_at, length)) = head(&self.buf) {
                break (body_at, length.context("an answer without Content-Length")?);
            }
        };
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let body = &self.buf[head_end..head_end + length];
        Ok(self.buf.starts_with(b"HTTP/1.1 200")
            && memchr::memmem::find(body, b"\"errors\"").is_none())
    }
}

/// Where the body of the HTTP message at the start of `buf` begins, and its Content-Length,
/// once its whole head is in `buf`.
fn head(buf: &[u8]) -> Option<(usize, Option<usize>)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    Some((end + 4, length))
}

/// Runs `clients` loops of `step` for `seconds`, collecting each step's time.
pub(super) async fn load<F, Fut>(clients: usize, seconds: u64, step: F) -> Load
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<Stepper>> + Send,
{
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let make = step.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0u64;
            let Ok(mut stepper) = make(i).await else {
                return (times, 1);
            };
            while Instant::now() < until {
                let t = Instant::now();
                match stepper.step().await {
                    Ok(true) => times.push(t.elapsed()),
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((times, e)) = t.await {
            all.extend(times);
            errors += e;
        }
    }
    Load::from(all, errors, started.elapsed())
}

/// One client of a load phase.
pub(super) enum Stepper {
    Http(Client),
    Sql(DatabaseConnection),
}

impl Stepper {
    async fn step(&mut self) -> anyhow::Result<bool> {
        match self {
            Self::Http(c) => c.once().await,
            Self::Sql(db) => {
                let rows = db
                    .query_all_raw(Statement::from_string(
                        db.get_database_backend(),
                        super::run::PAGE_SQL,
                    ))
                    .await?;
                Ok(!rows.is_empty())
            }
        }
    }
}

/// CPU time (user + system) of a process so far, from `/proc/{pid}/stat`.
pub(super) fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel counts in USER_HZ, 100 per second on Linux.
    Some(Duration::from_millis(ticks * 10))
}

pub(super) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The median of `rounds` runs of `f`.
pub(super) async fn median<F, Fut, T>(rounds: usize, mut f: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// The body of `GET path` on `addr` (a 200 only), on a connection of its own.
pub(super) async fn get(addr: &str, path: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("could not connect to {addr}"))?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let answer = String::from_utf8_lossy(&answer);
    anyhow::ensure!(answer.starts_with("HTTP/1.1 200"), "GET {path}: not a 200");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpListener,
    };

    use super::{Client, head};

    /// A server on a port of its own that answers each request of its one connection with
    /// `status` and `body`, the head and the body in two writes.
    async fn answering(status: &'static str, body: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("its address").to_string();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("the client");
            let mut request = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                // A whole request: its head, then as many bytes as its Content-Length says.
                let whole = head(&request).and_then(|(body_at, length)| {
                    let end = body_at + length?;
                    (request.len() >= end).then_some(end)
                });
                if let Some(end) = whole {
                    request.drain(..end);
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\n\r\n",
                        body.len()
                    );
                    stream.write_all(head.as_bytes()).await.expect("the head");
                    stream.flush().await.expect("the head sent");
                    tokio::task::yield_now().await;
                    stream.write_all(body.as_bytes()).await.expect("the body");
                    continue;
                }
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
        });
        addr
    }

    #[tokio::test]
    async fn an_answer_counts_only_when_it_is_a_200_without_graphql_errors() {
        let rows = r#"{"data":{"actions":{"nodes":[{"id":"QWN0aW9uOjE","title":"Peta jalan"}]}}}"#;
        let refused = r#"{"data":null,"errors":[{"message":"field refused","extensions":{"code":"FORBIDDEN"}}]}"#;
        let partial = r#"{"data":{"actions":null},"errors":[{"message":"x"}]}"#;
        for (status, body, counted) in [
            ("200 OK", rows, true),
            ("200 OK", refused, false),
            ("200 OK", partial, false),
            ("401 Unauthorized", rows, false),
            ("500 Internal Server Error", rows, false),
        ] {
            let addr = answering(status, body).await;
            let mut client = Client::connect(&addr, "token", "{ actions { nodes { id } } }")
                .await
                .expect("connected");
            // Twice on the same connection: each answer is read whole, not more.
            for _ in 0..2 {
                assert_eq!(
                    client.once().await.expect("an answer"),
                    counted,
                    "{status} {body}"
                );
            }
        }
    }
}
