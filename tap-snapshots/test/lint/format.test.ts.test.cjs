/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/lint/format.test.ts > TAP > aws-alb-60s > json 1`] = `
{
  "version": 1,
  "tool": {
    "name": "gateway-lint",
    "version": "0.0.0-test"
  },
  "file": "examples/aws-alb-60s/topology.yaml",
  "findings": [
    {
      "ruleId": "GW0112",
      "ruleName": "no-close-on-401",
      "level": "warning",
      "message": "hop \\"alb\\" (aws-alb), the L7 hop nearest the devices, does not close the device connection after a 401 (closeOn401 is not set)",
      "hint": "Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices.",
      "file": "examples/aws-alb-60s/topology.yaml",
      "line": 7,
      "col": 5,
      "path": [
        "hops",
        0,
        "closeOn401"
      ]
    },
    {
      "ruleId": "GW0111",
      "ruleName": "round-robin-balancing",
      "level": "warning",
      "message": "hop \\"alb\\" (aws-alb) balances round-robin (the aws-alb default; balancing is not set): held Pings pile up unevenly across EAS servers",
      "hint": "Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server.",
      "file": "examples/aws-alb-60s/topology.yaml",
      "line": 8,
      "col": 11,
      "path": [
        "hops",
        0,
        "kind"
      ]
    },
    {
      "ruleId": "GW0103",
      "ruleName": "hop-timeout-not-above-heartbeat",
      "level": "error",
      "message": "hop \\"alb\\" (aws-alb) idle_timeout.timeout_seconds 1m is at or below the max heartbeat 59m (exchange default MaxHeartbeatInterval): it ends Pings before the server answers",
      "hint": "Raise idle_timeout.timeout_seconds on hop \\"alb\\" above 1h (max heartbeat + margin).",
      "file": "examples/aws-alb-60s/topology.yaml",
      "line": 10,
      "col": 37,
      "path": [
        "hops",
        0,
        "timeouts",
        "idle_timeout.timeout_seconds"
      ]
    }
  ],
  "heartbeat": {
    "effective": {
      "seconds": 3540,
      "source": "exchange default MaxHeartbeatInterval",
      "file": "examples/aws-alb-60s/topology.yaml",
      "line": 5,
      "col": 9
    },
    "largestSafe": {
      "seconds": 0,
      "hop": "alb",
      "setting": "idle_timeout.timeout_seconds",
      "valueSeconds": 60,
      "marginSeconds": 60,
      "file": "examples/aws-alb-60s/topology.yaml",
      "line": 10,
      "col": 37
    }
  },
  "summary": {
    "errors": 1,
    "warnings": 2,
    "infos": 0,
    "suppressed": 0
  },
  "exitCode": 1
}

`

exports[`test/lint/format.test.ts > TAP > aws-alb-60s > sarif 1`] = `
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "gateway-lint",
          "version": "0.0.0-test",
          "rules": [
            {
              "id": "GW0001",
              "name": "yaml-syntax",
              "shortDescription": {
                "text": "The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases."
              },
              "fullDescription": {
                "text": "The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases."
              },
              "help": {
                "text": "Fix the YAML at the position shown; yaml's own error code is in parentheses."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0002",
              "name": "unknown-key",
              "shortDescription": {
                "text": "A key the file format does not have (often a typo: the message suggests the closest key)."
              },
              "fullDescription": {
                "text": "A key the file format does not have (often a typo: the message suggests the closest key)."
              },
              "help": {
                "text": "Remove the key or correct its spelling."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0003",
              "name": "invalid-type",
              "shortDescription": {
                "text": "A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs."
              },
              "fullDescription": {
                "text": "A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs."
              },
              "help": {
                "text": "Write the value with the type the message names."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0004",
              "name": "missing-key",
              "shortDescription": {
                "text": "A required key is missing (topology: server, hops, a hop's name and kind, an eas-gateway hop's config, server.maxHeartbeat for kind other)."
              },
              "fullDescription": {
                "text": "A required key is missing (topology: server, hops, a hop's name and kind, an eas-gateway hop's config, server.maxHeartbeat for kind other). The position is the enclosing key."
              },
              "help": {
                "text": "Add the key the message names."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0005",
              "name": "invalid-duration",
              "shortDescription": {
                "text": "A duration or timeout the linter cannot read."
              },
              "fullDescription": {
                "text": "A duration or timeout the linter cannot read. Durations need a unit (250ms, 90s, 61m, 1h, 1h30m); vendor timeouts also take a bare number in the vendor's own unit (nginx seconds, HAProxy milliseconds, Azure minutes), h:mm:ss, or the vendor's off word."
              },
              "help": {
                "text": "Write the value with a unit, e.g. 90s or 61m."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0006",
              "name": "invalid-value",
              "shortDescription": {
                "text": "A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL."
              },
              "fullDescription": {
                "text": "A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL."
              },
              "help": {
                "text": "Use one of the values the message lists."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0007",
              "name": "duplicate-name",
              "shortDescription": {
                "text": "Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias)."
              },
              "fullDescription": {
                "text": "Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias)."
              },
              "help": {
                "text": "Give every hop a unique name; set each timeout once."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0008",
              "name": "unknown-kind",
              "shortDescription": {
                "text": "A hop or server kind the catalog does not know."
              },
              "fullDescription": {
                "text": "A hop or server kind the catalog does not know. The message suggests the closest kind; \`gateway lint --list-kinds\` lists them all. Your own catalog file can add kinds."
              },
              "help": {
                "text": "Use a kind from the catalog (policies/timeouts-catalog.yaml), or add it in your own catalog file (catalog: in the topology)."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0009",
              "name": "unknown-setting",
              "shortDescription": {
                "text": "A timeout the hop's kind does not have (keys are the vendor's own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop)."
              },
              "fullDescription": {
                "text": "A timeout the hop's kind does not have (keys are the vendor's own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop)."
              },
              "help": {
                "text": "Use the vendor's setting name as the message suggests, or remove the option."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0010",
              "name": "unreadable-file",
              "shortDescription": {
                "text": "A file the topology refers to (an eas-gateway config, your own catalog) cannot be read."
              },
              "fullDescription": {
                "text": "A file the topology refers to (an eas-gateway config, your own catalog) cannot be read. The topology file itself being unreadable is exit code 2 instead."
              },
              "help": {
                "text": "Check the path: it is relative to the topology file."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0101",
              "name": "execution-timeout-not-above-request-timeout",
              "shortDescription": {
                "text": "The gateway's executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server's answer."
              },
              "fullDescription": {
                "text": "The gateway's executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server's answer."
              },
              "help": {
                "text": "Set timeouts.executionTimeout above timeouts.easRequestTimeout (e.g. easRequestTimeout + 1m)."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0102",
              "name": "request-timeout-not-above-max-heartbeat",
              "shortDescription": {
                "text": "The gateway's easRequestTimeout must exceed the server's maximum heartbeat plus the margin, so the mail server ends every Ping."
              },
              "fullDescription": {
                "text": "The gateway's easRequestTimeout must exceed the server's maximum heartbeat plus the margin, so the mail server ends every Ping."
              },
              "help": {
                "text": "Raise timeouts.easRequestTimeout above server.maxHeartbeat + timeouts.heartbeatMargin, or lower server.maxHeartbeat (and the server's MaxHeartbeatInterval) to match."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0103",
              "name": "hop-timeout-not-above-heartbeat",
              "shortDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping."
              },
              "fullDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping. At or below the heartbeat is an error; above it by less than the margin is a warning."
              },
              "help": {
                "text": "Raise {setting} on hop \\"{hop}\\" above {needed} (max heartbeat + margin){orLower}."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0104",
              "name": "hop-timeout-capped-below-heartbeat",
              "shortDescription": {
                "text": "A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down."
              },
              "fullDescription": {
                "text": "A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down."
              },
              "help": {
                "text": "Lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to the safe value or less; or take the hop off the ActiveSync path."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0105",
              "name": "drain-grace-not-below-termination-grace",
              "shortDescription": {
                "text": "An eas-gateway hop's drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain."
              },
              "fullDescription": {
                "text": "An eas-gateway hop's drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain."
              },
              "help": {
                "text": "Raise terminationGrace (e.g. terminationGracePeriodSeconds) above drainGrace plus a few seconds, or lower timeouts.drainGrace in the gateway config."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0106",
              "name": "timeouts-not-growing-outward",
              "shortDescription": {
                "text": "Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request."
              },
              "fullDescription": {
                "text": "Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request."
              },
              "help": {
                "text": "Raise the outer hop's timeout to at least the inner one's, or lower the inner one (both must stay above the heartbeat plus the margin)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0107",
              "name": "timeout-from-vendor-default",
              "shortDescription": {
                "text": "A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source."
              },
              "fullDescription": {
                "text": "A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source."
              },
              "help": {
                "text": "Set the timeout explicitly (copy it from the device's configuration) so the check does not rest on a default that can change between versions."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0108",
              "name": "hop-without-timeout",
              "shortDescription": {
                "text": "A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released."
              },
              "fullDescription": {
                "text": "A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released."
              },
              "help": {
                "text": "Set the hop's idle or response timeout above the max heartbeat plus the margin."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0109",
              "name": "max-heartbeat-too-short",
              "shortDescription": {
                "text": "The max heartbeat (server, or the gateway's clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling."
              },
              "fullDescription": {
                "text": "The max heartbeat (server, or the gateway's clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling. SOGo's default SOGoMaximumPingInterval of 10 s does exactly this."
              },
              "help": {
                "text": "Raise the maximum heartbeat as far as the path allows (see the largest safe heartbeat); for SOGo set SOGoMaximumPingInterval (the SOGo guide recommends 3540)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0110",
              "name": "min-heartbeat-above-180s",
              "shortDescription": {
                "text": "The minimum heartbeat (server, or the gateway's clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5."
              },
              "fullDescription": {
                "text": "The minimum heartbeat (server, or the gateway's clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5."
              },
              "help": {
                "text": "Lower the minimum heartbeat to 180 s or less (Exchange's default is 60 s)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0111",
              "name": "round-robin-balancing",
              "shortDescription": {
                "text": "A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly."
              },
              "fullDescription": {
                "text": "A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly. Least connections counts them."
              },
              "help": {
                "text": "Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0112",
              "name": "no-close-on-401",
              "shortDescription": {
                "text": "The L7 hop nearest the devices does not close the device connection after a 401 response."
              },
              "fullDescription": {
                "text": "The L7 hop nearest the devices does not close the device connection after a 401 response."
              },
              "help": {
                "text": "Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0113",
              "name": "haproxy-without-abortonclose",
              "shortDescription": {
                "text": "An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server."
              },
              "fullDescription": {
                "text": "An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server."
              },
              "help": {
                "text": "Add \\"option abortonclose\\" to the defaults or backend section, then set abortOnClose: true on the hop."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0114",
              "name": "timeout-outside-vendor-range",
              "shortDescription": {
                "text": "A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes)."
              },
              "fullDescription": {
                "text": "A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes)."
              },
              "help": {
                "text": "Use a value inside the vendor's range; if the range is too small for the heartbeat, see GW0104."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0115",
              "name": "keepalive-covers-idle-timeout",
              "shortDescription": {
                "text": "An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping."
              },
              "fullDescription": {
                "text": "An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping. The path depends on those keepalives."
              },
              "help": {
                "text": "Keep the keepalive interval shorter than the idle timeout; if keepalives stop, this hop ends Pings."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0116",
              "name": "timeout-unknown",
              "shortDescription": {
                "text": "A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT)."
              },
              "fullDescription": {
                "text": "A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT)."
              },
              "help": {
                "text": "Set the timeout if you configured or measured it; devices' adaptive heartbeats cope with carrier NAT they cannot control."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            }
          ]
        }
      },
      "invocations": [
        {
          "executionSuccessful": true,
          "exitCode": 1
        }
      ],
      "results": [
        {
          "ruleId": "GW0112",
          "ruleIndex": 21,
          "level": "warning",
          "message": {
            "text": "hop \\"alb\\" (aws-alb), the L7 hop nearest the devices, does not close the device connection after a 401 (closeOn401 is not set)\\n\\nHint: Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "examples/aws-alb-60s/topology.yaml"
                },
                "region": {
                  "startLine": 7,
                  "startColumn": 5
                }
              }
            }
          ],
          "properties": {
            "ruleName": "no-close-on-401",
            "path": [
              "hops",
              0,
              "closeOn401"
            ]
          }
        },
        {
          "ruleId": "GW0111",
          "ruleIndex": 20,
          "level": "warning",
          "message": {
            "text": "hop \\"alb\\" (aws-alb) balances round-robin (the aws-alb default; balancing is not set): held Pings pile up unevenly across EAS servers\\n\\nHint: Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "examples/aws-alb-60s/topology.yaml"
                },
                "region": {
                  "startLine": 8,
                  "startColumn": 11
                }
              }
            }
          ],
          "properties": {
            "ruleName": "round-robin-balancing",
            "path": [
              "hops",
              0,
              "kind"
            ]
          }
        },
        {
          "ruleId": "GW0103",
          "ruleIndex": 12,
          "level": "error",
          "message": {
            "text": "hop \\"alb\\" (aws-alb) idle_timeout.timeout_seconds 1m is at or below the max heartbeat 59m (exchange default MaxHeartbeatInterval): it ends Pings before the server answers\\n\\nHint: Raise idle_timeout.timeout_seconds on hop \\"alb\\" above 1h (max heartbeat + margin)."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "examples/aws-alb-60s/topology.yaml"
                },
                "region": {
                  "startLine": 10,
                  "startColumn": 37
                }
              }
            }
          ],
          "properties": {
            "ruleName": "hop-timeout-not-above-heartbeat",
            "path": [
              "hops",
              0,
              "timeouts",
              "idle_timeout.timeout_seconds"
            ]
          }
        }
      ],
      "properties": {
        "heartbeat": {
          "effective": {
            "seconds": 3540,
            "source": "exchange default MaxHeartbeatInterval",
            "file": "examples/aws-alb-60s/topology.yaml",
            "line": 5,
            "col": 9
          },
          "largestSafe": {
            "seconds": 0,
            "hop": "alb",
            "setting": "idle_timeout.timeout_seconds",
            "valueSeconds": 60,
            "marginSeconds": 60,
            "file": "examples/aws-alb-60s/topology.yaml",
            "line": 10,
            "col": 37
          }
        },
        "suppressed": 0
      }
    }
  ]
}

`

exports[`test/lint/format.test.ts > TAP > aws-alb-60s > text 1`] = `
examples/aws-alb-60s/topology.yaml:7:5 warning GW0112 no-close-on-401: hop "alb" (aws-alb), the L7 hop nearest the devices, does not close the device connection after a 401 (closeOn401 is not set)
  hint: Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices.
examples/aws-alb-60s/topology.yaml:8:11 warning GW0111 round-robin-balancing: hop "alb" (aws-alb) balances round-robin (the aws-alb default; balancing is not set): held Pings pile up unevenly across EAS servers
  hint: Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server.
examples/aws-alb-60s/topology.yaml:10:37 error GW0103 hop-timeout-not-above-heartbeat: hop "alb" (aws-alb) idle_timeout.timeout_seconds 1m is at or below the max heartbeat 59m (exchange default MaxHeartbeatInterval): it ends Pings before the server answers
  hint: Raise idle_timeout.timeout_seconds on hop "alb" above 1h (max heartbeat + margin).

max heartbeat in force: 3540s (59m), from exchange default MaxHeartbeatInterval (examples/aws-alb-60s/topology.yaml:5:9)
largest safe heartbeat: none, bounded by hop "alb" idle_timeout.timeout_seconds 60s (1m) with a 60s margin (examples/aws-alb-60s/topology.yaml:10:37)
1 error, 2 warnings, 0 infos

`

exports[`test/lint/format.test.ts > TAP > aws-alb-60s > text, colour 1`] = `
examples/aws-alb-60s/topology.yaml:7:5 [33mwarning[0m GW0112 no-close-on-401: hop "alb" (aws-alb), the L7 hop nearest the devices, does not close the device connection after a 401 (closeOn401 is not set)
[2m  hint: Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices.[0m
examples/aws-alb-60s/topology.yaml:8:11 [33mwarning[0m GW0111 round-robin-balancing: hop "alb" (aws-alb) balances round-robin (the aws-alb default; balancing is not set): held Pings pile up unevenly across EAS servers
[2m  hint: Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server.[0m
examples/aws-alb-60s/topology.yaml:10:37 [31merror[0m GW0103 hop-timeout-not-above-heartbeat: hop "alb" (aws-alb) idle_timeout.timeout_seconds 1m is at or below the max heartbeat 59m (exchange default MaxHeartbeatInterval): it ends Pings before the server answers
[2m  hint: Raise idle_timeout.timeout_seconds on hop "alb" above 1h (max heartbeat + margin).[0m

max heartbeat in force: 3540s (59m), from exchange default MaxHeartbeatInterval (examples/aws-alb-60s/topology.yaml:5:9)
largest safe heartbeat: none, bounded by hop "alb" idle_timeout.timeout_seconds 60s (1m) with a 60s margin (examples/aws-alb-60s/topology.yaml:10:37)
1 error, 2 warnings, 0 infos

`

exports[`test/lint/format.test.ts > TAP > f5-exchange > json 1`] = `
{
  "version": 1,
  "tool": {
    "name": "gateway-lint",
    "version": "0.0.0-test"
  },
  "file": "examples/f5-exchange/topology.yaml",
  "findings": [],
  "heartbeat": {
    "effective": {
      "seconds": 1800,
      "source": "server.maxHeartbeat",
      "file": "examples/f5-exchange/topology.yaml",
      "line": 6,
      "col": 17
    },
    "largestSafe": {
      "seconds": 2039,
      "hop": "f5",
      "setting": "idle-timeout",
      "valueSeconds": 2100,
      "marginSeconds": 60,
      "file": "examples/f5-exchange/topology.yaml",
      "line": 11,
      "col": 21
    }
  },
  "summary": {
    "errors": 0,
    "warnings": 0,
    "infos": 0,
    "suppressed": 0
  },
  "exitCode": 0
}

`

exports[`test/lint/format.test.ts > TAP > f5-exchange > sarif 1`] = `
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "gateway-lint",
          "version": "0.0.0-test",
          "rules": [
            {
              "id": "GW0001",
              "name": "yaml-syntax",
              "shortDescription": {
                "text": "The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases."
              },
              "fullDescription": {
                "text": "The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases."
              },
              "help": {
                "text": "Fix the YAML at the position shown; yaml's own error code is in parentheses."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0002",
              "name": "unknown-key",
              "shortDescription": {
                "text": "A key the file format does not have (often a typo: the message suggests the closest key)."
              },
              "fullDescription": {
                "text": "A key the file format does not have (often a typo: the message suggests the closest key)."
              },
              "help": {
                "text": "Remove the key or correct its spelling."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0003",
              "name": "invalid-type",
              "shortDescription": {
                "text": "A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs."
              },
              "fullDescription": {
                "text": "A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs."
              },
              "help": {
                "text": "Write the value with the type the message names."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0004",
              "name": "missing-key",
              "shortDescription": {
                "text": "A required key is missing (topology: server, hops, a hop's name and kind, an eas-gateway hop's config, server.maxHeartbeat for kind other)."
              },
              "fullDescription": {
                "text": "A required key is missing (topology: server, hops, a hop's name and kind, an eas-gateway hop's config, server.maxHeartbeat for kind other). The position is the enclosing key."
              },
              "help": {
                "text": "Add the key the message names."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0005",
              "name": "invalid-duration",
              "shortDescription": {
                "text": "A duration or timeout the linter cannot read."
              },
              "fullDescription": {
                "text": "A duration or timeout the linter cannot read. Durations need a unit (250ms, 90s, 61m, 1h, 1h30m); vendor timeouts also take a bare number in the vendor's own unit (nginx seconds, HAProxy milliseconds, Azure minutes), h:mm:ss, or the vendor's off word."
              },
              "help": {
                "text": "Write the value with a unit, e.g. 90s or 61m."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0006",
              "name": "invalid-value",
              "shortDescription": {
                "text": "A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL."
              },
              "fullDescription": {
                "text": "A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL."
              },
              "help": {
                "text": "Use one of the values the message lists."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0007",
              "name": "duplicate-name",
              "shortDescription": {
                "text": "Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias)."
              },
              "fullDescription": {
                "text": "Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias)."
              },
              "help": {
                "text": "Give every hop a unique name; set each timeout once."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0008",
              "name": "unknown-kind",
              "shortDescription": {
                "text": "A hop or server kind the catalog does not know."
              },
              "fullDescription": {
                "text": "A hop or server kind the catalog does not know. The message suggests the closest kind; \`gateway lint --list-kinds\` lists them all. Your own catalog file can add kinds."
              },
              "help": {
                "text": "Use a kind from the catalog (policies/timeouts-catalog.yaml), or add it in your own catalog file (catalog: in the topology)."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0009",
              "name": "unknown-setting",
              "shortDescription": {
                "text": "A timeout the hop's kind does not have (keys are the vendor's own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop)."
              },
              "fullDescription": {
                "text": "A timeout the hop's kind does not have (keys are the vendor's own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop)."
              },
              "help": {
                "text": "Use the vendor's setting name as the message suggests, or remove the option."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0010",
              "name": "unreadable-file",
              "shortDescription": {
                "text": "A file the topology refers to (an eas-gateway config, your own catalog) cannot be read."
              },
              "fullDescription": {
                "text": "A file the topology refers to (an eas-gateway config, your own catalog) cannot be read. The topology file itself being unreadable is exit code 2 instead."
              },
              "help": {
                "text": "Check the path: it is relative to the topology file."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0101",
              "name": "execution-timeout-not-above-request-timeout",
              "shortDescription": {
                "text": "The gateway's executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server's answer."
              },
              "fullDescription": {
                "text": "The gateway's executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server's answer."
              },
              "help": {
                "text": "Set timeouts.executionTimeout above timeouts.easRequestTimeout (e.g. easRequestTimeout + 1m)."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0102",
              "name": "request-timeout-not-above-max-heartbeat",
              "shortDescription": {
                "text": "The gateway's easRequestTimeout must exceed the server's maximum heartbeat plus the margin, so the mail server ends every Ping."
              },
              "fullDescription": {
                "text": "The gateway's easRequestTimeout must exceed the server's maximum heartbeat plus the margin, so the mail server ends every Ping."
              },
              "help": {
                "text": "Raise timeouts.easRequestTimeout above server.maxHeartbeat + timeouts.heartbeatMargin, or lower server.maxHeartbeat (and the server's MaxHeartbeatInterval) to match."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0103",
              "name": "hop-timeout-not-above-heartbeat",
              "shortDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping."
              },
              "fullDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping. At or below the heartbeat is an error; above it by less than the margin is a warning."
              },
              "help": {
                "text": "Raise {setting} on hop \\"{hop}\\" above {needed} (max heartbeat + margin){orLower}."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0104",
              "name": "hop-timeout-capped-below-heartbeat",
              "shortDescription": {
                "text": "A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down."
              },
              "fullDescription": {
                "text": "A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down."
              },
              "help": {
                "text": "Lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to the safe value or less; or take the hop off the ActiveSync path."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0105",
              "name": "drain-grace-not-below-termination-grace",
              "shortDescription": {
                "text": "An eas-gateway hop's drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain."
              },
              "fullDescription": {
                "text": "An eas-gateway hop's drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain."
              },
              "help": {
                "text": "Raise terminationGrace (e.g. terminationGracePeriodSeconds) above drainGrace plus a few seconds, or lower timeouts.drainGrace in the gateway config."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0106",
              "name": "timeouts-not-growing-outward",
              "shortDescription": {
                "text": "Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request."
              },
              "fullDescription": {
                "text": "Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request."
              },
              "help": {
                "text": "Raise the outer hop's timeout to at least the inner one's, or lower the inner one (both must stay above the heartbeat plus the margin)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0107",
              "name": "timeout-from-vendor-default",
              "shortDescription": {
                "text": "A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source."
              },
              "fullDescription": {
                "text": "A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source."
              },
              "help": {
                "text": "Set the timeout explicitly (copy it from the device's configuration) so the check does not rest on a default that can change between versions."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0108",
              "name": "hop-without-timeout",
              "shortDescription": {
                "text": "A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released."
              },
              "fullDescription": {
                "text": "A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released."
              },
              "help": {
                "text": "Set the hop's idle or response timeout above the max heartbeat plus the margin."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0109",
              "name": "max-heartbeat-too-short",
              "shortDescription": {
                "text": "The max heartbeat (server, or the gateway's clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling."
              },
              "fullDescription": {
                "text": "The max heartbeat (server, or the gateway's clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling. SOGo's default SOGoMaximumPingInterval of 10 s does exactly this."
              },
              "help": {
                "text": "Raise the maximum heartbeat as far as the path allows (see the largest safe heartbeat); for SOGo set SOGoMaximumPingInterval (the SOGo guide recommends 3540)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0110",
              "name": "min-heartbeat-above-180s",
              "shortDescription": {
                "text": "The minimum heartbeat (server, or the gateway's clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5."
              },
              "fullDescription": {
                "text": "The minimum heartbeat (server, or the gateway's clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5."
              },
              "help": {
                "text": "Lower the minimum heartbeat to 180 s or less (Exchange's default is 60 s)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0111",
              "name": "round-robin-balancing",
              "shortDescription": {
                "text": "A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly."
              },
              "fullDescription": {
                "text": "A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly. Least connections counts them."
              },
              "help": {
                "text": "Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0112",
              "name": "no-close-on-401",
              "shortDescription": {
                "text": "The L7 hop nearest the devices does not close the device connection after a 401 response."
              },
              "fullDescription": {
                "text": "The L7 hop nearest the devices does not close the device connection after a 401 response."
              },
              "help": {
                "text": "Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0113",
              "name": "haproxy-without-abortonclose",
              "shortDescription": {
                "text": "An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server."
              },
              "fullDescription": {
                "text": "An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server."
              },
              "help": {
                "text": "Add \\"option abortonclose\\" to the defaults or backend section, then set abortOnClose: true on the hop."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0114",
              "name": "timeout-outside-vendor-range",
              "shortDescription": {
                "text": "A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes)."
              },
              "fullDescription": {
                "text": "A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes)."
              },
              "help": {
                "text": "Use a value inside the vendor's range; if the range is too small for the heartbeat, see GW0104."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0115",
              "name": "keepalive-covers-idle-timeout",
              "shortDescription": {
                "text": "An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping."
              },
              "fullDescription": {
                "text": "An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping. The path depends on those keepalives."
              },
              "help": {
                "text": "Keep the keepalive interval shorter than the idle timeout; if keepalives stop, this hop ends Pings."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0116",
              "name": "timeout-unknown",
              "shortDescription": {
                "text": "A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT)."
              },
              "fullDescription": {
                "text": "A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT)."
              },
              "help": {
                "text": "Set the timeout if you configured or measured it; devices' adaptive heartbeats cope with carrier NAT they cannot control."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            }
          ]
        }
      },
      "invocations": [
        {
          "executionSuccessful": true,
          "exitCode": 0
        }
      ],
      "results": [],
      "properties": {
        "heartbeat": {
          "effective": {
            "seconds": 1800,
            "source": "server.maxHeartbeat",
            "file": "examples/f5-exchange/topology.yaml",
            "line": 6,
            "col": 17
          },
          "largestSafe": {
            "seconds": 2039,
            "hop": "f5",
            "setting": "idle-timeout",
            "valueSeconds": 2100,
            "marginSeconds": 60,
            "file": "examples/f5-exchange/topology.yaml",
            "line": 11,
            "col": 21
          }
        },
        "suppressed": 0
      }
    }
  ]
}

`

exports[`test/lint/format.test.ts > TAP > f5-exchange > text 1`] = `
max heartbeat in force: 1800s (30m), from server.maxHeartbeat (examples/f5-exchange/topology.yaml:6:17)
largest safe heartbeat: 2039s (33m59s), bounded by hop "f5" idle-timeout 2100s (35m) with a 60s margin (examples/f5-exchange/topology.yaml:11:21)
0 errors, 0 warnings, 0 infos

`

exports[`test/lint/format.test.ts > TAP > f5-exchange > text, colour 1`] = `
max heartbeat in force: 1800s (30m), from server.maxHeartbeat (examples/f5-exchange/topology.yaml:6:17)
largest safe heartbeat: 2039s (33m59s), bounded by hop "f5" idle-timeout 2100s (35m) with a 60s margin (examples/f5-exchange/topology.yaml:11:21)
0 errors, 0 warnings, 0 infos

`

exports[`test/lint/format.test.ts > TAP > keepalive-both-ways > json 1`] = `
{
  "version": 1,
  "tool": {
    "name": "gateway-lint",
    "version": "0.0.0-test"
  },
  "file": "examples/keepalive-both-ways/topology.yaml",
  "findings": [
    {
      "ruleId": "GW0115",
      "ruleName": "keepalive-covers-idle-timeout",
      "level": "info",
      "message": "hop \\"azure-lb\\" (azure-lb) IdleTimeoutInMinutes 4m is not above the max heartbeat 30m plus the margin 1m, but TCP keepalives every 1m refresh this L4 idle timer first",
      "hint": "Keep TCP keepalives through \\"azure-lb\\" shorter than 4m; if they stop, this hop ends Pings after 4m.",
      "file": "examples/keepalive-both-ways/topology.yaml",
      "line": 13,
      "col": 29,
      "path": [
        "hops",
        0,
        "timeouts",
        "IdleTimeoutInMinutes"
      ]
    },
    {
      "ruleId": "GW0103",
      "ruleName": "hop-timeout-not-above-heartbeat",
      "level": "error",
      "message": "hop \\"nginx\\" (nginx) proxy_read_timeout 10m is at or below the max heartbeat 30m (server.maxHeartbeat): it ends Pings before the server answers; TCP keepalives do not refresh it: it is an L7 timer and counts application bytes, not packets",
      "hint": "Raise proxy_read_timeout on hop \\"nginx\\" above 31m (max heartbeat + margin), or lower the max heartbeat to 539s or less.",
      "file": "examples/keepalive-both-ways/topology.yaml",
      "line": 21,
      "col": 27,
      "path": [
        "hops",
        2,
        "timeouts",
        "proxy_read_timeout"
      ]
    }
  ],
  "heartbeat": {
    "effective": {
      "seconds": 1800,
      "source": "server.maxHeartbeat",
      "file": "examples/keepalive-both-ways/topology.yaml",
      "line": 8,
      "col": 17
    },
    "largestSafe": {
      "seconds": 539,
      "hop": "nginx",
      "setting": "proxy_read_timeout",
      "valueSeconds": 600,
      "marginSeconds": 60,
      "file": "examples/keepalive-both-ways/topology.yaml",
      "line": 21,
      "col": 27
    }
  },
  "summary": {
    "errors": 1,
    "warnings": 0,
    "infos": 1,
    "suppressed": 0
  },
  "exitCode": 1
}

`

exports[`test/lint/format.test.ts > TAP > keepalive-both-ways > sarif 1`] = `
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "gateway-lint",
          "version": "0.0.0-test",
          "rules": [
            {
              "id": "GW0001",
              "name": "yaml-syntax",
              "shortDescription": {
                "text": "The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases."
              },
              "fullDescription": {
                "text": "The file is not valid YAML, repeats a key, is larger than 1 MiB, or resolves more than 100 aliases."
              },
              "help": {
                "text": "Fix the YAML at the position shown; yaml's own error code is in parentheses."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0002",
              "name": "unknown-key",
              "shortDescription": {
                "text": "A key the file format does not have (often a typo: the message suggests the closest key)."
              },
              "fullDescription": {
                "text": "A key the file format does not have (often a typo: the message suggests the closest key)."
              },
              "help": {
                "text": "Remove the key or correct its spelling."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0003",
              "name": "invalid-type",
              "shortDescription": {
                "text": "A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs."
              },
              "fullDescription": {
                "text": "A value of the wrong type: a list where a mapping belongs, text where a number or true/false belongs."
              },
              "help": {
                "text": "Write the value with the type the message names."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0004",
              "name": "missing-key",
              "shortDescription": {
                "text": "A required key is missing (topology: server, hops, a hop's name and kind, an eas-gateway hop's config, server.maxHeartbeat for kind other)."
              },
              "fullDescription": {
                "text": "A required key is missing (topology: server, hops, a hop's name and kind, an eas-gateway hop's config, server.maxHeartbeat for kind other). The position is the enclosing key."
              },
              "help": {
                "text": "Add the key the message names."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0005",
              "name": "invalid-duration",
              "shortDescription": {
                "text": "A duration or timeout the linter cannot read."
              },
              "fullDescription": {
                "text": "A duration or timeout the linter cannot read. Durations need a unit (250ms, 90s, 61m, 1h, 1h30m); vendor timeouts also take a bare number in the vendor's own unit (nginx seconds, HAProxy milliseconds, Azure minutes), h:mm:ss, or the vendor's off word."
              },
              "help": {
                "text": "Write the value with a unit, e.g. 90s or 61m."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0006",
              "name": "invalid-value",
              "shortDescription": {
                "text": "A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL."
              },
              "fullDescription": {
                "text": "A value of the right type but not allowed: out of range, not one of the listed choices, or not a valid URL."
              },
              "help": {
                "text": "Use one of the values the message lists."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0007",
              "name": "duplicate-name",
              "shortDescription": {
                "text": "Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias)."
              },
              "fullDescription": {
                "text": "Two entries share a name (two hops, two upstreams) or one setting is set twice (under its name and an alias)."
              },
              "help": {
                "text": "Give every hop a unique name; set each timeout once."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0008",
              "name": "unknown-kind",
              "shortDescription": {
                "text": "A hop or server kind the catalog does not know."
              },
              "fullDescription": {
                "text": "A hop or server kind the catalog does not know. The message suggests the closest kind; \`gateway lint --list-kinds\` lists them all. Your own catalog file can add kinds."
              },
              "help": {
                "text": "Use a kind from the catalog (policies/timeouts-catalog.yaml), or add it in your own catalog file (catalog: in the topology)."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0009",
              "name": "unknown-setting",
              "shortDescription": {
                "text": "A timeout the hop's kind does not have (keys are the vendor's own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop)."
              },
              "fullDescription": {
                "text": "A timeout the hop's kind does not have (keys are the vendor's own setting names), or a hop option that does not apply to that kind (abortOnClose outside HAProxy, closeOn401 on an L4 device, timeouts on an eas-gateway hop)."
              },
              "help": {
                "text": "Use the vendor's setting name as the message suggests, or remove the option."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0010",
              "name": "unreadable-file",
              "shortDescription": {
                "text": "A file the topology refers to (an eas-gateway config, your own catalog) cannot be read."
              },
              "fullDescription": {
                "text": "A file the topology refers to (an eas-gateway config, your own catalog) cannot be read. The topology file itself being unreadable is exit code 2 instead."
              },
              "help": {
                "text": "Check the path: it is relative to the topology file."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "structure"
                ]
              }
            },
            {
              "id": "GW0101",
              "name": "execution-timeout-not-above-request-timeout",
              "shortDescription": {
                "text": "The gateway's executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server's answer."
              },
              "fullDescription": {
                "text": "The gateway's executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server's answer."
              },
              "help": {
                "text": "Set timeouts.executionTimeout above timeouts.easRequestTimeout (e.g. easRequestTimeout + 1m)."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0102",
              "name": "request-timeout-not-above-max-heartbeat",
              "shortDescription": {
                "text": "The gateway's easRequestTimeout must exceed the server's maximum heartbeat plus the margin, so the mail server ends every Ping."
              },
              "fullDescription": {
                "text": "The gateway's easRequestTimeout must exceed the server's maximum heartbeat plus the margin, so the mail server ends every Ping."
              },
              "help": {
                "text": "Raise timeouts.easRequestTimeout above server.maxHeartbeat + timeouts.heartbeatMargin, or lower server.maxHeartbeat (and the server's MaxHeartbeatInterval) to match."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0103",
              "name": "hop-timeout-not-above-heartbeat",
              "shortDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping."
              },
              "fullDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping. At or below the heartbeat is an error; above it by less than the margin is a warning."
              },
              "help": {
                "text": "Raise {setting} on hop \\"{hop}\\" above {needed} (max heartbeat + margin){orLower}."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0104",
              "name": "hop-timeout-capped-below-heartbeat",
              "shortDescription": {
                "text": "A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down."
              },
              "fullDescription": {
                "text": "A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down."
              },
              "help": {
                "text": "Lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to the safe value or less; or take the hop off the ActiveSync path."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0105",
              "name": "drain-grace-not-below-termination-grace",
              "shortDescription": {
                "text": "An eas-gateway hop's drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain."
              },
              "fullDescription": {
                "text": "An eas-gateway hop's drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain."
              },
              "help": {
                "text": "Raise terminationGrace (e.g. terminationGracePeriodSeconds) above drainGrace plus a few seconds, or lower timeouts.drainGrace in the gateway config."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0106",
              "name": "timeouts-not-growing-outward",
              "shortDescription": {
                "text": "Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request."
              },
              "fullDescription": {
                "text": "Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request."
              },
              "help": {
                "text": "Raise the outer hop's timeout to at least the inner one's, or lower the inner one (both must stay above the heartbeat plus the margin)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0107",
              "name": "timeout-from-vendor-default",
              "shortDescription": {
                "text": "A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source."
              },
              "fullDescription": {
                "text": "A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source."
              },
              "help": {
                "text": "Set the timeout explicitly (copy it from the device's configuration) so the check does not rest on a default that can change between versions."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0108",
              "name": "hop-without-timeout",
              "shortDescription": {
                "text": "A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released."
              },
              "fullDescription": {
                "text": "A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released."
              },
              "help": {
                "text": "Set the hop's idle or response timeout above the max heartbeat plus the margin."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0109",
              "name": "max-heartbeat-too-short",
              "shortDescription": {
                "text": "The max heartbeat (server, or the gateway's clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling."
              },
              "fullDescription": {
                "text": "The max heartbeat (server, or the gateway's clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling. SOGo's default SOGoMaximumPingInterval of 10 s does exactly this."
              },
              "help": {
                "text": "Raise the maximum heartbeat as far as the path allows (see the largest safe heartbeat); for SOGo set SOGoMaximumPingInterval (the SOGo guide recommends 3540)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0110",
              "name": "min-heartbeat-above-180s",
              "shortDescription": {
                "text": "The minimum heartbeat (server, or the gateway's clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5."
              },
              "fullDescription": {
                "text": "The minimum heartbeat (server, or the gateway's clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5."
              },
              "help": {
                "text": "Lower the minimum heartbeat to 180 s or less (Exchange's default is 60 s)."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0111",
              "name": "round-robin-balancing",
              "shortDescription": {
                "text": "A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly."
              },
              "fullDescription": {
                "text": "A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly. Least connections counts them."
              },
              "help": {
                "text": "Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0112",
              "name": "no-close-on-401",
              "shortDescription": {
                "text": "The L7 hop nearest the devices does not close the device connection after a 401 response."
              },
              "fullDescription": {
                "text": "The L7 hop nearest the devices does not close the device connection after a 401 response."
              },
              "help": {
                "text": "Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0113",
              "name": "haproxy-without-abortonclose",
              "shortDescription": {
                "text": "An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server."
              },
              "fullDescription": {
                "text": "An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server."
              },
              "help": {
                "text": "Add \\"option abortonclose\\" to the defaults or backend section, then set abortOnClose: true on the hop."
              },
              "defaultConfiguration": {
                "level": "warning"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0114",
              "name": "timeout-outside-vendor-range",
              "shortDescription": {
                "text": "A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes)."
              },
              "fullDescription": {
                "text": "A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes)."
              },
              "help": {
                "text": "Use a value inside the vendor's range; if the range is too small for the heartbeat, see GW0104."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0115",
              "name": "keepalive-covers-idle-timeout",
              "shortDescription": {
                "text": "An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping."
              },
              "fullDescription": {
                "text": "An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping. The path depends on those keepalives."
              },
              "help": {
                "text": "Keep the keepalive interval shorter than the idle timeout; if keepalives stop, this hop ends Pings."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            },
            {
              "id": "GW0116",
              "name": "timeout-unknown",
              "shortDescription": {
                "text": "A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT)."
              },
              "fullDescription": {
                "text": "A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT)."
              },
              "help": {
                "text": "Set the timeout if you configured or measured it; devices' adaptive heartbeats cope with carrier NAT they cannot control."
              },
              "defaultConfiguration": {
                "level": "note"
              },
              "properties": {
                "tags": [
                  "timeout-chain"
                ]
              }
            }
          ]
        }
      },
      "invocations": [
        {
          "executionSuccessful": true,
          "exitCode": 1
        }
      ],
      "results": [
        {
          "ruleId": "GW0115",
          "ruleIndex": 24,
          "level": "note",
          "message": {
            "text": "hop \\"azure-lb\\" (azure-lb) IdleTimeoutInMinutes 4m is not above the max heartbeat 30m plus the margin 1m, but TCP keepalives every 1m refresh this L4 idle timer first\\n\\nHint: Keep TCP keepalives through \\"azure-lb\\" shorter than 4m; if they stop, this hop ends Pings after 4m."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "examples/keepalive-both-ways/topology.yaml"
                },
                "region": {
                  "startLine": 13,
                  "startColumn": 29
                }
              }
            }
          ],
          "properties": {
            "ruleName": "keepalive-covers-idle-timeout",
            "path": [
              "hops",
              0,
              "timeouts",
              "IdleTimeoutInMinutes"
            ]
          }
        },
        {
          "ruleId": "GW0103",
          "ruleIndex": 12,
          "level": "error",
          "message": {
            "text": "hop \\"nginx\\" (nginx) proxy_read_timeout 10m is at or below the max heartbeat 30m (server.maxHeartbeat): it ends Pings before the server answers; TCP keepalives do not refresh it: it is an L7 timer and counts application bytes, not packets\\n\\nHint: Raise proxy_read_timeout on hop \\"nginx\\" above 31m (max heartbeat + margin), or lower the max heartbeat to 539s or less."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "examples/keepalive-both-ways/topology.yaml"
                },
                "region": {
                  "startLine": 21,
                  "startColumn": 27
                }
              }
            }
          ],
          "properties": {
            "ruleName": "hop-timeout-not-above-heartbeat",
            "path": [
              "hops",
              2,
              "timeouts",
              "proxy_read_timeout"
            ]
          }
        }
      ],
      "properties": {
        "heartbeat": {
          "effective": {
            "seconds": 1800,
            "source": "server.maxHeartbeat",
            "file": "examples/keepalive-both-ways/topology.yaml",
            "line": 8,
            "col": 17
          },
          "largestSafe": {
            "seconds": 539,
            "hop": "nginx",
            "setting": "proxy_read_timeout",
            "valueSeconds": 600,
            "marginSeconds": 60,
            "file": "examples/keepalive-both-ways/topology.yaml",
            "line": 21,
            "col": 27
          }
        },
        "suppressed": 0
      }
    }
  ]
}

`

exports[`test/lint/format.test.ts > TAP > keepalive-both-ways > text 1`] = `
examples/keepalive-both-ways/topology.yaml:13:29 info GW0115 keepalive-covers-idle-timeout: hop "azure-lb" (azure-lb) IdleTimeoutInMinutes 4m is not above the max heartbeat 30m plus the margin 1m, but TCP keepalives every 1m refresh this L4 idle timer first
  hint: Keep TCP keepalives through "azure-lb" shorter than 4m; if they stop, this hop ends Pings after 4m.
examples/keepalive-both-ways/topology.yaml:21:27 error GW0103 hop-timeout-not-above-heartbeat: hop "nginx" (nginx) proxy_read_timeout 10m is at or below the max heartbeat 30m (server.maxHeartbeat): it ends Pings before the server answers; TCP keepalives do not refresh it: it is an L7 timer and counts application bytes, not packets
  hint: Raise proxy_read_timeout on hop "nginx" above 31m (max heartbeat + margin), or lower the max heartbeat to 539s or less.

max heartbeat in force: 1800s (30m), from server.maxHeartbeat (examples/keepalive-both-ways/topology.yaml:8:17)
largest safe heartbeat: 539s (8m59s), bounded by hop "nginx" proxy_read_timeout 600s (10m) with a 60s margin (examples/keepalive-both-ways/topology.yaml:21:27)
1 error, 0 warnings, 1 info

`

exports[`test/lint/format.test.ts > TAP > keepalive-both-ways > text, colour 1`] = `
examples/keepalive-both-ways/topology.yaml:13:29 [36minfo[0m GW0115 keepalive-covers-idle-timeout: hop "azure-lb" (azure-lb) IdleTimeoutInMinutes 4m is not above the max heartbeat 30m plus the margin 1m, but TCP keepalives every 1m refresh this L4 idle timer first
[2m  hint: Keep TCP keepalives through "azure-lb" shorter than 4m; if they stop, this hop ends Pings after 4m.[0m
examples/keepalive-both-ways/topology.yaml:21:27 [31merror[0m GW0103 hop-timeout-not-above-heartbeat: hop "nginx" (nginx) proxy_read_timeout 10m is at or below the max heartbeat 30m (server.maxHeartbeat): it ends Pings before the server answers; TCP keepalives do not refresh it: it is an L7 timer and counts application bytes, not packets
[2m  hint: Raise proxy_read_timeout on hop "nginx" above 31m (max heartbeat + margin), or lower the max heartbeat to 539s or less.[0m

max heartbeat in force: 1800s (30m), from server.maxHeartbeat (examples/keepalive-both-ways/topology.yaml:8:17)
largest safe heartbeat: 539s (8m59s), bounded by hop "nginx" proxy_read_timeout 600s (10m) with a 60s margin (examples/keepalive-both-ways/topology.yaml:21:27)
1 error, 0 warnings, 1 info

`
