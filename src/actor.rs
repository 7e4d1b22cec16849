//! Who asks for a change: a user with a token, the command line, or a liaison through a
//! progress link. Every service function that changes something is given one, checks what
//! it may do, and records it in the audit trail.

use std::{collections::HashSet, sync::Mutex};

use entity::{enums::Role, user};
use uuid::Uuid;

/// The one acting.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A user, through one of their tokens.
    User { user: user::Model, token_id: Uuid },
    /// An operator on the command line (who can reach the database anyway).
    Cli,
    /// A liaison answering a progress link: bound to one ministry.
    Liaison {
        id: Uuid,
        name: String,
        ministry_id: Uuid,
    },
}

/// The actor of one request or command, with what the audit trail needs to know of it.
#[derive(Debug)]
pub struct Who {
    pub actor: Actor,
    /// The id of the HTTP request, when there is one.
    pub request_id: Option<String>,
    /// Refusals already recorded for this request, so that a field refused on every item of
    /// a list is recorded once.
    refusals: Mutex<HashSet<(String, Option<Uuid>)>>,
}

impl Who {
    pub fn new(actor: Actor, request_id: Option<String>) -> Self {
        Self {
            actor,
            request_id,
            refusals: Mutex::default(),
        }
    }

    /// A user calling through a token.
    pub fn user(user: user::Model, token_id: Uuid, request_id: Option<String>) -> Self {
        Self::new(Actor::User { user, token_id }, request_id)
    }

    /// The command line.
    pub fn cli() -> Self {
        Self::new(Actor::Cli, None)
    }

    /// A liaison through a progress link.
    pub fn liaison(liaison: &entity::liaison::Model) -> Self {
        Self::new(
            Actor::Liaison {
                id: liaison.id,
                name: liaison.name.clone(),
                ministry_id: liaison.ministry_id,
            },
            None,
        )
    }

    /// The same actor for work that outlives the request (a fresh record of refusals).
    pub fn detached(&self) -> Self {
        Self::new(self.actor.clone(), self.request_id.clone())
    }

    /// The user behind the request, if a user it is.
    pub fn user_model(&self) -> Option<&user::Model> {
        match &self.actor {
            Actor::User { user, .. } => Some(user),
            _ => None,
        }
    }

    pub fn token_id(&self) -> Option<Uuid> {
        match &self.actor {
            Actor::User { token_id, .. } => Some(*token_id),
            _ => None,
        }
    }

    /// The role the actor acts in: a liaison through a link acts as a LIAISON, the command
    /// line as an ADMIN.
    pub fn role(&self) -> Role {
        match &self.actor {
            Actor::User { user, .. } => user.role,
            Actor::Cli => Role::Admin,
            Actor::Liaison { .. } => Role::Liaison,
        }
    }

    /// The ministry a LIAISON speaks for.
    pub fn ministry_id(&self) -> Option<Uuid> {
        match &self.actor {
            Actor::User { user, .. } => user.ministry_id,
            Actor::Cli => None,
            Actor::Liaison { ministry_id, .. } => Some(*ministry_id),
        }
    }

    /// The name the audit trail gives the actor.
    pub fn name(&self) -> String {
        match &self.actor {
            Actor::User { user, .. } => user.name.clone(),
            Actor::Cli => "cli".to_owned(),
            Actor::Liaison { id, name, .. } => format!("{name} (liaison {id})"),
        }
    }

    /// Who a timeline entry written by this actor is by.
    pub fn author(&self) -> Option<Author> {
        match &self.actor {
            Actor::User { user, .. } => Some(Author {
                id: Some(user.id),
                name: user.name.clone(),
            }),
            Actor::Cli => None,
            Actor::Liaison { name, .. } => Some(Author {
                id: None,
                name: name.clone(),
            }),
        }
    }

    /// Whether a refusal of `operation` on `entity` is the first of this request.
    pub fn first_refusal(&self, operation: &str, entity: Option<Uuid>) -> bool {
        self.refusals
            .lock()
            .map(|mut seen| seen.insert((operation.to_owned(), entity)))
            .unwrap_or(true)
    }
}

/// Who writes a timeline entry.
#[derive(Debug, Clone)]
pub struct Author {
    /// The user, when the author is one (a liaison answering a progress link is not).
    pub id: Option<Uuid>,
    pub name: String,
}
