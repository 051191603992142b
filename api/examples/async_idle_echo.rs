//! An async echo server with idle timeouts, on tokio and gowheel's timers.
//!
//! The server, on 127.0.0.1, echoes what each connection sends and closes
//! a connection that stays quiet for `IDLE`: each connection's task races
//! its socket read against a gowheel [`Timer`](gowheel::Timer) in
//! `tokio::select!`, and every read pushes the timer back with `reset`, as
//! a Go server would with `conn.SetReadDeadline` or a `time.Timer`.
//!
//! Clients connect, each sends a few messages a little apart (each within
//! the idle timeout), reads the echoes, then goes quiet; the server times
//! each out. The whole run is bounded by `gowheel::future::timeout`, and
//! exits by itself in well under a few seconds:
//!
//! ```text
//! cargo run -p gowheel --example async_idle_echo
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long a connection may stay quiet.
const IDLE: Duration = Duration::from_millis(200);
/// The clients, connected at once.
const CLIENTS: usize = 50;
/// Messages per client, sent `GAP` apart.
const MESSAGES: usize = 3;
const GAP: Duration = Duration::from_millis(20);
/// The bound on the whole run.
const RUN_LIMIT: Duration = Duration::from_secs(5);

/// What the server saw.
#[derive(Default)]
struct Counts {
    echoed_bytes: AtomicUsize,
    timed_out: AtomicUsize,
    closed_by_peer: AtomicUsize,
}

/// One connection: echo until the peer closes or `IDLE` passes without a
/// read.
async fn serve(mut connection: TcpStream, counts: Arc<Counts>) -> std::io::Result<()> {
    let idle = gowheel::Timer::new(IDLE);
    let mut buffer = [0; 1024];
    loop {
        tokio::select! {
            read = connection.read(&mut buffer) => {
                let read = read?;
                if read == 0 {
                    counts.closed_by_peer.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                // A packet: the timeout starts over.
                idle.reset(IDLE);
                connection.write_all(&buffer[..read]).await?;
                counts.echoed_bytes.fetch_add(read, Ordering::Relaxed);
            }
            // The timer's receiver is a future; losing the race to a read
            // loses no value, and `reset` above discards any stale one.
            _ = idle.receiver() => {
                counts.timed_out.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        }
    }
}

/// One client: a few messages, each echo checked, then silence until the
/// server closes the connection.
async fn client(address: std::net::SocketAddr, id: usize) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(address).await?;
    let mut echo = [0; 64];
    for message in 0..MESSAGES {
        let text = format!("client {id} message {message}\n");
        stream.write_all(text.as_bytes()).await?;
        stream.read_exact(&mut echo[..text.len()]).await?;
        assert_eq!(&echo[..text.len()], text.as_bytes());
        gowheel::future::sleep(GAP).await;
    }
    // Quiet now: the server's idle timeout closes the connection (a read
    // of 0 bytes).
    let closed = stream.read(&mut echo).await?;
    assert_eq!(closed, 0, "the server sent more than the echoes");
    Ok(())
}

async fn run() -> std::io::Result<Arc<Counts>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let counts = Arc::new(Counts::default());
    let server = {
        let counts = counts.clone();
        tokio::spawn(async move {
            let mut connections = Vec::new();
            for _ in 0..CLIENTS {
                let (connection, _) = listener.accept().await?;
                connections.push(tokio::spawn(serve(connection, counts.clone())));
            }
            for connection in connections {
                connection.await.expect("a connection task panicked")?;
            }
            Ok::<_, std::io::Error>(())
        })
    };
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| tokio::spawn(client(address, id)))
        .collect();
    for client in clients {
        client.await.expect("a client panicked")?;
    }
    server.await.expect("the server panicked")?;
    Ok(counts)
}

fn main() -> std::io::Result<()> {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let start = Instant::now();
    let counts = tokio
        .block_on(gowheel::future::timeout(RUN_LIMIT, run()))
        .map_err(std::io::Error::from)??;
    println!(
        "{CLIENTS} connections: {} bytes echoed, {} closed by idle timeout, {} by the peer, in {:.2?}",
        counts.echoed_bytes.load(Ordering::Relaxed),
        counts.timed_out.load(Ordering::Relaxed),
        counts.closed_by_peer.load(Ordering::Relaxed),
        start.elapsed(),
    );
    assert_eq!(counts.timed_out.load(Ordering::Relaxed), CLIENTS);
    Ok(())
}
