//! The HTTP application: router, handlers, and running until a shutdown signal.

use std::{any::Any, future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context as _;
use async_graphql::{ServerError, http::GraphiQLSource};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Json, Router,
    extract::State,
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{AUTHORIZATION, WWW_AUTHENTICATE},
    },
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, timeout::TimeoutLayer,
};
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    audit::service::RequestId,
    auth::{self, tokens},
    config::{ServeSettings, Settings},
    error::{AppError, finalize_errors},
    graphql::{self, TindakSchema},
    reminders::{respond, worker::Reminders},
};
use tokio::sync::watch;

#[derive(Clone)]
struct AppState {
    schema: TindakSchema,
    db: DatabaseConnection,
}

/// A bound, ready-to-run server. Tests build one on port 0 and read the port back.
pub struct Application {
    listener: TcpListener,
    router: Router,
    reminders: Arc<Reminders>,
    worker: bool,
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
        let reminders = Arc::new(Reminders::new(
            db.clone(),
            settings.clone(),
            serve.remind.clone(),
        )?);
        Ok(Self {
            listener,
            router: router(settings, serve, db, reminders.clone()),
            reminders,
            worker: !serve.no_worker,
        })
    }

    /// The reminder service this server runs.
    pub fn reminders(&self) -> Arc<Reminders> {
        self.reminders.clone()
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves (and runs the reminder worker) until `shutdown` completes, then lets requests
    /// in flight finish and the worker finish the email it is sending.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let worker = self
            .worker
            .then(|| tokio::spawn(self.reminders.clone().run_forever(stopped)));
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop.send(true);
            })
            .await;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        served
    }
}

pub fn router(
    settings: Settings,
    serve: &ServeSettings,
    db: DatabaseConnection,
    reminders: Arc<Reminders>,
) -> Router {
    let state = AppState {
        schema: graphql::build(db.clone(), settings, serve.limits(), reminders.clone()),
        db,
    };
    let respond = Router::new()
        .route("/respond/{token}", get(respond::show).post(respond::submit))
        .with_state(reminders);
    let graphql_route = if serve.playground {
        get(graphiql).post(graphql_handler)
    } else {
        post(graphql_handler)
    };
    Router::new()
        .route("/graphql", graphql_route)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
        .merge(respond)
        .layer(RequestBodyLimitLayer::new(serve.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(serve.request_timeout_secs),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
}

/// Runs one GraphQL operation as the holder of the request's bearer token. Without a valid
/// token nothing runs: the answer is UNAUTHENTICATED (HTTP 401).
async fn graphql_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let request_id = Uuid::now_v7().to_string();
    let span = tracing::info_span!("graphql", request_id = %request_id);
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(tokens::from_header);
    let actor = match token {
        Some(token) => {
            auth::service::authenticate(&state.db, token)
                .instrument(span.clone())
                .await
        }
        None => Ok(None),
    };
    let actor = match actor {
        Ok(Some(actor)) => actor,
        Ok(None) => return refusal(AppError::Unauthenticated, &request_id),
        Err(err) => return refusal(err, &request_id),
    };
    let request = req
        .into_inner()
        .data(graphql::loaders::new_loader(state.db.clone()))
        .data(RequestId(request_id.clone()))
        .data(auth::policy::Refusals::default())
        .data(actor);
    let mut response = state.schema.execute(request).instrument(span).await;
    finalize_errors(&mut response.errors, &request_id);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.http_headers.insert("x-request-id", value);
    }
    GraphQLResponse::from(response).into_response()
}

/// A GraphQL-shaped error answer for a request that was not executed.
fn refusal(err: AppError, request_id: &str) -> Response {
    let status = match err {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut errors = vec![ServerError::new(err.to_string(), None)];
    errors[0].source = Some(Arc::new(err));
    finalize_errors(&mut errors, request_id);
    let body = async_graphql::Response::from_errors(errors);
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// A panic anywhere in a request becomes a generic INTERNAL error; what panicked goes to the
/// log only, under the id the client is given.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let request_id = Uuid::now_v7().to_string();
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(request_id, panic = detail, "request panicked");
    let body = serde_json::json!({
        "data": null,
        "errors": [{
            "message": format!("Internal error (request {request_id})"),
            "extensions": { "code": "INTERNAL", "requestId": request_id },
        }],
    });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
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
