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
              "id": "GW0103",
              "name": "hop-timeout-not-above-heartbeat",
              "shortDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping."
              },
              "fullDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping. At or below the heartbeat is an error; above it by less than the margin is a warning."
              },
              "help": {
                "text": "Raise the hop's setting above the max heartbeat plus the margin (for an L4 idle timer, TCP keepalives more often than it expires also do), or lower the max heartbeat to the largest safe heartbeat or less."
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
            }
          ]
        }
      },
      "automationDetails": {
        "id": "gateway-lint/examples/aws-alb-60s/topology.yaml/"
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
          "ruleIndex": 3,
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
          "partialFingerprints": {
            "gatewayLint/v1": "2201f5685cd9aff48f8fd123a2011434"
          },
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
          "ruleIndex": 2,
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
          "partialFingerprints": {
            "gatewayLint/v1": "32391179910c4bfd0d405498e0ce09c9"
          },
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
          "ruleIndex": 1,
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
          "partialFingerprints": {
            "gatewayLint/v1": "b377db2be58e343057004dfe9b8f5cf5"
          },
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
            }
          ]
        }
      },
      "automationDetails": {
        "id": "gateway-lint/examples/f5-exchange/topology.yaml/"
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
              "id": "GW0103",
              "name": "hop-timeout-not-above-heartbeat",
              "shortDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping."
              },
              "fullDescription": {
                "text": "Every hop's idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping. At or below the heartbeat is an error; above it by less than the margin is a warning."
              },
              "help": {
                "text": "Raise the hop's setting above the max heartbeat plus the margin (for an L4 idle timer, TCP keepalives more often than it expires also do), or lower the max heartbeat to the largest safe heartbeat or less."
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
            }
          ]
        }
      },
      "automationDetails": {
        "id": "gateway-lint/examples/keepalive-both-ways/topology.yaml/"
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
          "ruleIndex": 2,
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
          "partialFingerprints": {
            "gatewayLint/v1": "32a96db53ebd5800a16ae063cf94991b"
          },
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
          "ruleIndex": 1,
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
          "partialFingerprints": {
            "gatewayLint/v1": "6476917c533fd17bf91d7c056d988d25"
          },
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
