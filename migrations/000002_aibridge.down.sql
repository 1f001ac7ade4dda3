DROP TABLE IF EXISTS aibridge_model_thoughts;
DROP TABLE IF EXISTS aibridge_tool_usages;
DROP TABLE IF EXISTS aibridge_user_prompts;
DROP TABLE IF EXISTS aibridge_token_usages;
DROP TABLE IF EXISTS aibridge_interceptions;
