//! Running the server: bind (loopback and a free port by default), serve on a runtime of its
//! own thread, stop on Ctrl-C or when asked.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::cache::DEFAULT_CACHE_BYTES;
use crate::{router, PatientSource};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Address to listen on; loopback unless the user asked otherwise.
    pub host: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Memory budget of loaded images.
    pub cache_bytes: u64,
    /// Serve the page from this folder instead of the embedded copy (development).
    pub viewer_dir: Option<PathBuf>,
    /// Save the viewer's measurements here, one JSON file per patient (`None`: not saved).
    pub measurements_dir: Option<PathBuf>,
}

impl Default for ServerOptions {
    /// Loopback, a free port, 2 GiB of cache, `TUMORSCOPE_VIEWER_DIR` as the page override.
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            cache_bytes: DEFAULT_CACHE_BYTES,
            viewer_dir: std::env::var_os("TUMORSCOPE_VIEWER_DIR").map(PathBuf::from),
            measurements_dir: None,
        }
    }
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on `{addr}`: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("the server thread panicked")]
    Panicked,
}

/// A server running on its own thread.
pub struct RunningServer {
    /// Where it listens (with the port actually bound).
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), ServerError>>>,
}

impl std::fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Binds now (so a busy port is reported at once) and serves `source` on a new thread.
/// The server stops on Ctrl-C, on [`RunningServer::shutdown`] or when dropped.
pub fn start(
    source: Arc<dyn PatientSource>,
    options: &ServerOptions,
) -> Result<RunningServer, ServerError> {
    let wanted = SocketAddr::new(options.host, options.port);
    let listener = std::net::TcpListener::bind(wanted).map_err(|source| ServerError::Bind {
        addr: wanted,
        source,
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| ServerError::Bind {
            addr: wanted,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: wanted,
        source,
    })?;
    let app = router(
        source,
        options.cache_bytes,
        options.viewer_dir.clone(),
        options.measurements_dir.clone(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("tumorscope-server")
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("tumorscope-server".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).map_err(ServerError::Serve)?;
                let shutdown = async move {
                    tokio::select! {
                        _ = stopped => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                };
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
                    .map_err(ServerError::Serve)
            })
        })
        .map_err(ServerError::Runtime)?;
    Ok(RunningServer {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

impl RunningServer {
    /// `http://host:port/`.
    pub fn url(&self) -> String {
        match self.addr {
            SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
            SocketAddr::V4(a) => format!("http://{}:{}/", a.ip(), a.port()),
        }
    }

    /// Blocks until the server stops (Ctrl-C).
    pub fn wait(mut self) -> Result<(), ServerError> {
        self.join()
    }

    /// Stops the server and waits for it.
    pub fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join()
    }

    fn join(&mut self) -> Result<(), ServerError> {
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| ServerError::Panicked)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.join();
    }
}
