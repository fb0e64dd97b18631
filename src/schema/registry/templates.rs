//! The registry: templates and their parameters.

use super::*;

pub(super) fn templates() -> Vec<BlockSchema> {
    vec![
        block(
            BlockId::Template,
            "template",
            Labels::Declare(Ns::Template),
            "Reusable steps: `uses NAME { ARGS }`.",
        )
        .attrs(vec![opt(Attr::Description, Ty::Str, "what the template does")])
        .children(&[BlockId::Param, BlockId::Permissions, BlockId::Run, BlockId::Uses]),
        block(
            BlockId::Param,
            "param",
            Labels::Local,
            "A typed parameter of a template.",
        )
        .optional_body()
        .attrs(vec![
            opt(Attr::Type, Ty::Enum(PARAM_TYPES), "parameter type").default("string"),
            opt(
                Attr::Default,
                Ty::Any,
                "value when the argument is not given; without it the argument is required",
            ),
            opt(Attr::Description, Ty::Str, "what the parameter means"),
        ]),
        block(
            BlockId::Permissions,
            "permissions",
            Labels::None,
            "Token permissions the steps need.",
        )
        .once()
        .free(Ty::Enum(PERMISSION_LEVELS))
        .keys(Keys::OneOf(PERMISSION_SCOPES)),
    ]
}
