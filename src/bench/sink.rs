//! An SMTP server on 127.0.0.1 that accepts every message, keeps none, and counts them: the
//! far end of the delivery benchmark, so that what is measured is Tindak's side.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// A running sink: its `smtp://` URL and the messages it has accepted so far.
pub struct Sink {
    pub url: String,
    accepted: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("smtp://{}", listener.local_addr()?);
        let accepted = Arc::new(AtomicU64::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(session(stream, count.clone()));
            }
        });
        Ok(Self {
            url,
            accepted,
            task,
        })
    }

    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP session: a reply per command line, the message body read to its closing dot.
async fn session(stream: tokio::net::TcpStream, count: Arc<AtomicU64>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut line = Vec::with_capacity(1024);
    if write.write_all(b"220 bench\r\n").await.is_err() {
        return;
    }
    let mut in_data = false;
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
            return;
        }
        if in_data {
            if line == b".\r\n" {
                in_data = false;
                count.fetch_add(1, Ordering::Relaxed);
                if write.write_all(b"250 OK\r\n").await.is_err() {
                    return;
                }
            }
            continue;
        }
        let verb = line
            .get(..4)
            .map(|v| v.to_ascii_uppercase())
            .unwrap_or_default();
        let reply: &[u8] = match verb.as_slice() {
            b"EHLO" => b"250-bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            b"DATA" => {
                in_data = true;
                b"354 go on\r\n"
            }
            b"QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 OK\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
