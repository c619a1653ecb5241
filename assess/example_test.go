package assess_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cohortmpc/cohort/assess"
)

func Example() {
	// Five organisations' private data: CVSS × 10, critical vulnerabilities,
	// patch delay in days, asset exposure.
	inputs := []assess.Input{
		{CVSS: 98, Critical: 12, PatchDelay: 90, Exposure: 85}, // score 766
		{CVSS: 75, Critical: 4, PatchDelay: 30, Exposure: 60},  // score 488
		{CVSS: 50, Critical: 1, PatchDelay: 14, Exposure: 40},  // score 310
		{CVSS: 88, Critical: 9, PatchDelay: 120, Exposure: 95}, // score 800
		{CVSS: 30, Critical: 0, PatchDelay: 7, Exposure: 20},   // score 174
	}
	// Default parameters: threshold 500, alert level 2 for five organisations.
	res, err := assess.Simulate(context.Background(), inputs, assess.Config{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Average:   %.2f\n", res.Average)
	fmt.Printf("AtOrAbove: %d (threshold %d)\n", res.AtOrAbove, res.Threshold)
	fmt.Printf("Alert:     %v (level %d)\n", res.Alert, res.AlertLevel)
	fmt.Printf("Max:       %d\n", res.Max)
	// Output:
	// Average:   507.60
	// AtOrAbove: 2 (threshold 500)
	// Alert:     true (level 2)
	// Max:       800
}
