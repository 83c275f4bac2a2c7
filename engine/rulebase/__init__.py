"""Reading the rule base: YAML files, their typed models and the checks that load them.

`yamlfile` parses one file; `rulefile` holds each file kind's model; `loader` reads a rules
folder into a checked `Ruleset`.
"""
