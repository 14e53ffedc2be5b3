"""The chat app's page: layout, handlers, pure HTML renderers, strings and static css/js (the only place that imports gradio)."""
