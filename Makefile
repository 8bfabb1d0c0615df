.PHONY: demo test setup
setup:
	bash scripts/setup.sh
demo: setup
	JIUZHU_DEMO_2FA=off uv run jiuzhu demo
test:
	bash scripts/test.sh
