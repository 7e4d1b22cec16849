//! The PostgreSQL connections' own settings: `TCP_NODELAY` on their sockets, JIT off.
//!
//! sqlx 0.9.0 opens its TCP connections with Nagle's algorithm on (earlier releases turned it
//! off; the fix is merged upstream and not yet released). A statement larger than one TCP
//! segment — a page of reminders to insert, an `IN` list of 2,000 ids — then waits for the
//! server's delayed ACK before its last segment leaves: 40 ms per statement on Linux, for
//! no work at all (measured: planning the backlog of 100,000 actions spent most of its 21 s
//! so, with both processes idle).
//!
//! sqlx does not hand out its socket, so each new connection asks the server which port it
//! sees the connection come from and to (`inet_client_port()`, `inet_server_port()`) and the
//! socket of this process with that local and peer port gets the option. Through a proxy
//! that rewrites ports, or over a Unix socket (where Nagle does not apply), nothing matches
//! and the connection is left as sqlx made it.
//!
//! Each new connection also turns PostgreSQL's JIT compilation off for itself: the engine
//! compiles a statement whose estimated cost passes `jit_above_cost`, and for the reports'
//! statements over 100,000 actions that compilation cost more than the execution it sped up
//! (`EXPLAIN ANALYZE`: 0.9 s of a 1.7 s statement; README, Performance).

use sea_orm::sqlx::{self, Postgres, Row as _, pool::PoolOptions, postgres::PgConnection};

/// `options` with every new connection's socket set to `TCP_NODELAY`, and its JIT off.
pub(super) fn on_connect(options: PoolOptions<Postgres>) -> PoolOptions<Postgres> {
    options.after_connect(|conn, _| {
        Box::pin(async move {
            set(conn).await;
            without_jit(conn).await;
            Ok(())
        })
    })
}

/// Turns JIT compilation off for the session. A server without JIT (built without LLVM)
/// accepts the setting all the same; one where it fails is left as it was.
async fn without_jit(conn: &mut PgConnection) {
    if let Err(e) = sqlx::query("SET jit = off").execute(&mut *conn).await {
        tracing::debug!(error = %e, "JIT left as the server has it");
    }
}

async fn set(conn: &mut PgConnection) {
    let ports = sqlx::query("SELECT inet_client_port() AS client, inet_server_port() AS server")
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| {
            Ok((
                row.try_get::<Option<i32>, _>("client")?,
                row.try_get::<Option<i32>, _>("server")?,
            ))
        });
    let (client_port, server_port) = match ports {
        Ok((Some(client), Some(server))) => match (u16::try_from(client), u16::try_from(server)) {
            (Ok(client), Ok(server)) => (client, server),
            _ => return,
        },
        // A Unix socket (no ports), or the query failed: nothing to do.
        other => {
            tracing::debug!(?other, "no TCP port to set TCP_NODELAY on");
            return;
        }
    };
    match on_socket(client_port, server_port) {
        Ok(true) => {}
        Ok(false) => tracing::debug!(
            client_port,
            server_port,
            "no socket of this process matches the connection: TCP_NODELAY not set"
        ),
        Err(e) => tracing::debug!(error = %e, "TCP_NODELAY not set"),
    }
}

/// Sets `TCP_NODELAY` on this process's TCP socket from `local` to `peer` (ports); whether
/// there was one.
fn on_socket(local: u16, peer: u16) -> std::io::Result<bool> {
    with_socket(local, peer, |s| s.set_tcp_nodelay(true)).map(|done| done.is_some())
}

/// Whether this process's TCP socket from `local` to `peer` (ports) has `TCP_NODELAY`;
/// `None` when there is no such socket (or on systems other than Linux).
pub fn nodelay(local: u16, peer: u16) -> std::io::Result<Option<bool>> {
    with_socket(local, peer, |s| s.tcp_nodelay())
}

/// Runs `f` on this process's TCP socket from `local` to `peer` (ports), if there is one.
#[cfg(target_os = "linux")]
fn with_socket<T>(
    local: u16,
    peer: u16,
    f: impl FnOnce(&socket2::SockRef<'_>) -> std::io::Result<T>,
) -> std::io::Result<Option<T>> {
    use std::os::fd::{BorrowedFd, RawFd};
    for entry in std::fs::read_dir("/proc/self/fd")? {
        let Ok(fd) = entry?.file_name().to_string_lossy().parse::<RawFd>() else {
            continue;
        };
        // SAFETY: the descriptor is only used for the `getsockname`, `getpeername` and
        // `setsockopt`/`getsockopt` calls below. Closed meanwhile, they fail with EBADF;
        // reused meanwhile by another socket, the ports must still match both ends.
        #[allow(unsafe_code)]
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&fd);
        let port = |a: std::io::Result<socket2::SockAddr>| {
            a.ok().and_then(|a| a.as_socket()).map(|a| a.port())
        };
        if port(socket.local_addr()) == Some(local) && port(socket.peer_addr()) == Some(peer) {
            return f(&socket).map(Some);
        }
    }
    Ok(None)
}

#[cfg(not(target_os = "linux"))]
fn with_socket<T>(
    _local: u16,
    _peer: u16,
    _f: impl FnOnce(&socket2::SockRef<'_>) -> std::io::Result<T>,
) -> std::io::Result<Option<T>> {
    Ok(None)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn the_socket_with_both_ports_gets_nodelay_and_no_other() -> std::io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let client = TcpStream::connect(listener.local_addr()?)?;
        let (server, _) = listener.accept()?;
        let other = TcpStream::connect(listener.local_addr()?)?;
        for s in [&client, &server, &other] {
            s.set_nodelay(false)?;
        }
        let (local, peer) = (client.local_addr()?.port(), client.peer_addr()?.port());
        assert!(super::on_socket(local, peer)?);
        assert!(client.nodelay()?);
        assert!(!server.nodelay()?, "the other end is not ours to change");
        assert!(!other.nodelay()?);
        assert!(!super::on_socket(local, 1)?, "no socket has that peer");
        Ok(())
    }
}
