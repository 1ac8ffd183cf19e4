package all

// The query back-ends: counts computed where the logs and metrics live.
import (
	_ "github.com/localizevideos/posture/sources/elasticsearch" // elasticsearch
	_ "github.com/localizevideos/posture/sources/loki"          // loki
	_ "github.com/localizevideos/posture/sources/prometheus"    // prometheus
)
