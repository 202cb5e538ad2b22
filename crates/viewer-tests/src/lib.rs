//! Harness for driving the tumorscope viewer in real headless Chromium: finds the browser and
//! chromedriver, starts them with the flags NOTES.md records, serves a scanned dataset
//! in-process, and offers small helpers (wait for a draw, read a pixel, save a screenshot).
//!
//! Tests skip with a message when Chromium is absent, unless `TUMORSCOPE_REQUIRE_TOOLS=1`.

// A test harness reports skips and progress on stderr.
#![allow(clippy::print_stderr)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tumorscope_server::{start, DatasetSource, RunningServer, ServerOptions};
use tumorscope_sources::{scan, LoadOptions, ScanOptions};

/// The Chromium binary (the `/usr/bin` wrapper is a shell script that misbehaves headless).
pub const CHROMIUM: &str = "/usr/lib/chromium/chromium";

/// The browser and its driver, when installed.
#[derive(Debug, Clone)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Tools {
    /// Finds both, or `None` after printing why (panics when `TUMORSCOPE_REQUIRE_TOOLS=1`).
    pub fn find_or_skip(test: &str) -> Option<Tools> {
        let chromium = PathBuf::from(
            std::env::var_os("TUMORSCOPE_CHROMIUM").unwrap_or_else(|| CHROMIUM.into()),
        );
        let chromedriver = std::env::var_os("TUMORSCOPE_CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| which("chromedriver"));
        match chromedriver {
            Some(chromedriver) if chromium.exists() => Some(Tools {
                chromium,
                chromedriver,
            }),
            _ => {
                let msg = format!(
                    "{test}: skipped: chromium (`{}`) or chromedriver not found\nhint: apt-get install -y --no-install-recommends chromium chromium-driver",
                    chromium.display()
                );
                if std::env::var("TUMORSCOPE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
                    panic!("{msg} (TUMORSCOPE_REQUIRE_TOOLS=1)");
                }
                eprintln!("{msg}");
                None
            }
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// The real patient 3D-IRCADb 1.17 if present (`TUMORSCOPE_DATA` or `../shared/data`), else
/// `None` after a message (panics when `TUMORSCOPE_REQUIRE_DATA=1`).
pub fn real_patient_or_skip(test: &str) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TUMORSCOPE_DATA").map(|d| PathBuf::from(d).join("3Dircadb1.17")),
        Some(workspace_root().join("../shared/data/3Dircadb1.17")),
    ];
    if let Some(p) = candidates.into_iter().flatten().find(|p| p.exists()) {
        return Some(p);
    }
    let msg = format!("{test}: skipped: `../shared/data/3Dircadb1.17` not found");
    if std::env::var("TUMORSCOPE_REQUIRE_DATA").is_ok_and(|v| v == "1") {
        panic!("{msg} (TUMORSCOPE_REQUIRE_DATA=1)");
    }
    eprintln!("{msg}");
    None
}

/// The workspace folder (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `target/viewer-screenshots/` of the workspace, created.
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("target/viewer-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9515)
}

/// A running chromedriver, killed on drop, with a fresh Chromium profile.
pub struct Driver {
    child: Child,
    pub port: u16,
    profile: tempfile::TempDir,
    tools: Tools,
}

impl Driver {
    pub fn start(tools: &Tools) -> Driver {
        let port = free_port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("temp profile");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            port,
            profile,
            tools: tools.clone(),
        }
    }

    /// A new headless browser session with a `width × height` viewport.
    pub async fn browser(&self, width: u32, height: u32) -> Client {
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--enable-unsafe-swiftshader".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", self.profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "binary": self.tools.chromium.to_string_lossy(), "args": args }),
        );
        // Starting Chromium under load sometimes makes chromedriver drop the first request
        // (connection reset): a session is asked for up to three times before failing.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(e) if attempt < 3 => {
                    eprintln!("webdriver session, attempt {attempt}: {e}; trying again");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => panic!("webdriver session: {e}"),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The source the binary ships, over a scan of `paths`.
pub fn scan_source(paths: &[PathBuf]) -> DatasetSource {
    DatasetSource::new(
        scan(paths, &ScanOptions::default(), &|| {}),
        LoadOptions::default(),
    )
}

/// Serves `source` on loopback and a free port.
pub fn serve(source: Arc<DatasetSource>) -> RunningServer {
    start(
        source,
        &ServerOptions {
            viewer_dir: None,
            ..ServerOptions::default()
        },
    )
    .expect("server starts")
}

/// Runs `script` (a function body) and returns its value.
pub async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Polls `condition` (a JS expression) until truthy, or panics after `timeout`.
pub async fn wait_js(client: &Client, condition: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let v = js(client, &format!("return !!({condition});")).await;
        if v == Value::Bool(true) {
            return;
        }
        if Instant::now() > deadline {
            let err = js(
                client,
                "return window.tumorscope ? window.tumorscope.state.error : 'no hook';",
            )
            .await;
            panic!("timed out waiting for `{condition}` (page error: {err})");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The page's draw counter.
pub async fn drawn(client: &Client) -> u64 {
    js(client, "return window.tumorscope.state.drawn;")
        .await
        .as_u64()
        .unwrap_or(0)
}

/// Waits until the page has drawn more than `before` times.
pub async fn wait_drawn(client: &Client, before: u64) {
    wait_js(
        client,
        &format!("window.tumorscope.state.drawn > {before}"),
        Duration::from_secs(10),
    )
    .await;
}

/// RGBA of the canvas pixel that shows voxel `ijk` in `view`.
pub async fn pixel(client: &Client, view: &str, ijk: [usize; 3]) -> [u8; 4] {
    let v = js(
        client,
        &format!(
            "return window.tumorscope.pixel('{view}', [{}, {}, {}]);",
            ijk[0], ijk[1], ijk[2]
        ),
    )
    .await;
    let a: Vec<u8> = v
        .as_array()
        .expect("pixel array")
        .iter()
        .map(|x| x.as_u64().unwrap_or(0) as u8)
        .collect();
    [a[0], a[1], a[2], a[3]]
}

/// Viewport coordinates (CSS pixels) of the centre of voxel `ijk` in `view`.
pub async fn viewport_point(client: &Client, view: &str, ijk: [usize; 3]) -> (f64, f64) {
    let v = js(
        client,
        &format!(
            "const t = window.tumorscope; const c = t.canvas('{view}'); const r = c.getBoundingClientRect();
             const p = t.viewToCanvas('{view}', [{}, {}, {}]);
             return [r.left + (p[0] + 0.5) * r.width / c.width, r.top + (p[1] + 0.5) * r.height / c.height];",
            ijk[0], ijk[1], ijk[2]
        ),
    )
    .await;
    (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0))
}

/// Saves a PNG screenshot of the viewport as `target/viewer-screenshots/<name>.png`.
pub async fn save_screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// The grey and overlay composite the page computes for one voxel: `hu` through the window,
/// then each visible structure's colour blended in (`(bit, rgb, opacity)` in drawing order).
pub fn expected_rgb(
    hu: i16,
    window: tumorscope_core::Window,
    layers: &[([u8; 3], f64)],
) -> [u8; 3] {
    let g = f64::from(window.to_u8(f64::from(hu)));
    let mut c = [g, g, g];
    for (rgb, a) in layers {
        for n in 0..3 {
            c[n] += (f64::from(rgb[n]) - c[n]) * a;
        }
    }
    c.map(|v| round_half_up(v) as u8)
}

/// JavaScript's `Math.round` (halves go up), which the page uses for colours.
fn round_half_up(v: f64) -> f64 {
    (v + 0.5).floor()
}

/// Presses at voxel `path[0]`'s centre in `view`, moves through the others' centres, releases.
pub async fn drag_through(client: &Client, view: &str, path: &[[usize; 3]]) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let mut mouse = MouseActions::new("mouse".into());
    for (n, &ijk) in path.iter().enumerate() {
        let (x, y) = viewport_point(client, view, ijk).await;
        mouse = mouse.then(PointerAction::MoveTo {
            duration: None,
            x: x.floor(),
            y: y.floor(),
        });
        if n == 0 {
            mouse = mouse.then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            });
        }
    }
    mouse = mouse.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    client.perform_actions(mouse).await.expect("drag");
}

/// Chooses measurement tool `name` (`length`, `bidirectional`, `ellipse`, `freehand`,
/// `navigate`) with its toolbar button.
pub async fn choose_tool(client: &Client, name: &str) {
    client
        .find(fantoccini::Locator::Css(&format!(
            "#tools button[data-tool='{name}']"
        )))
        .await
        .expect("tool button")
        .click()
        .await
        .expect("click");
}

/// Presses and releases the left button at viewport point `(x, y)` (CSS pixels).
pub async fn click_at(client: &Client, x: f64, y: f64) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: x.floor(),
            y: y.floor(),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(mouse).await.expect("click");
}

/// One phantom patient on a `dims` grid written under `dir`, scanned: the source, the
/// patient's label and id, and its loaded image.
pub fn one_phantom_patient(
    dir: &Path,
    dims: [usize; 3],
) -> (
    Arc<DatasetSource>,
    String,
    u32,
    Arc<tumorscope_core::PatientImage>,
) {
    use tumorscope_server::PatientSource;
    let written = tumorscope_phantom::write_cohort(
        dir,
        &tumorscope_phantom::PhantomOptions {
            patients: 1,
            dims,
            ..tumorscope_phantom::PhantomOptions::default()
        },
        false,
    )
    .expect("phantom written");
    let source = Arc::new(scan_source(std::slice::from_ref(&written.root)));
    let label = written.patients[0].label.clone();
    let id = source.id_of(&label).expect("phantom scanned");
    let image = source.load(id).expect("phantom loads");
    (source, label, id, image)
}
