//! The HTTP application: router, handlers, and running until a shutdown signal.

use std::{future::Future, net::SocketAddr, time::Duration};

use anyhow::Context as _;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode},
    response::{Html, IntoResponse},
    routing::get,
};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::{limit::RequestBodyLimitLayer, timeout::TimeoutLayer};
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    config::{ServeSettings, Settings},
    error::finalize_errors,
    graphql::{self, TindakSchema},
};

#[derive(Clone)]
struct AppState {
    schema: TindakSchema,
    db: DatabaseConnection,
}

/// A bound, ready-to-run server. Tests build one on port 0 and read the port back.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds `serve.bind` and wires the schema to `db` (already migrated).
    pub async fn build(
        settings: Settings,
        serve: &ServeSettings,
        db: DatabaseConnection,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(serve.bind)
            .await
            .with_context(|| format!("could not listen on {}", serve.bind))?;
        Ok(Self {
            listener,
            router: router(settings, serve, db),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

pub fn router(settings: Settings, serve: &ServeSettings, db: DatabaseConnection) -> Router {
    let state = AppState {
        schema: graphql::build(db.clone(), settings),
        db,
    };
    Router::new()
        .route("/graphql", get(graphiql).post(graphql_handler))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(RequestBodyLimitLayer::new(serve.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(serve.request_timeout_secs),
        ))
        .with_state(state)
}

async fn graphql_handler(State(state): State<AppState>, req: GraphQLRequest) -> GraphQLResponse {
    let request_id = Uuid::now_v7().to_string();
    let span = tracing::info_span!("graphql", request_id = %request_id);
    let request = req
        .into_inner()
        .data(graphql::loaders::new_loader(state.db.clone()));
    let mut response = state.schema.execute(request).instrument(span).await;
    finalize_errors(&mut response.errors, &request_id);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.http_headers.insert("x-request-id", value);
    }
    response.into()
}

async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable")
        }
    }
}

/// Listens for Ctrl-C and SIGTERM from now on; the future completes on the first of them.
/// Registering eagerly means a signal that arrives during start-up is not lost.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}
