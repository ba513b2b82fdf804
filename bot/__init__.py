"""科创服务助手: the assistant core, its console and Telegram adapters, storage and staff review."""
