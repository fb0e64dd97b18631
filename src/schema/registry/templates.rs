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
        .attrs(vec![
            opt(Attr::Description, Ty::Str, "what the template does"),
            opt(
                Attr::Outputs,
                list(Ty::Line),
                "outputs of the step written `id = \"${id}\"`, read as `${{ steps.ID.outputs.NAME }}` where the template is used with `id = \"ID\"`",
            ),
        ])
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
    ]
}
