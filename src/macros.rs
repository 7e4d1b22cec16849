/// Declares a GraphQL enum that mirrors an entity enum variant for variant, with `From` both
/// ways, so that API and storage can evolve apart without hand-written matches.
#[macro_export]
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident => $db:ident :: $entity:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $($variant),+
        }

        impl From<$db::$entity> for $name {
            fn from(value: $db::$entity) -> Self {
                match value {
                    $($db::$entity::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for $db::$entity {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    };
}
