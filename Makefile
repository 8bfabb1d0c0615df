.PHONY: demo test setup
setup:
	bash scripts/setup.sh
demo: setup
	uv run jiuzhu demo
test:
	bash scripts/test.sh
