package inventory

// More of the loader API, for loaders that change an inventory in place (a Terraform plan).

// Reindex makes the next lookup rebuild its indexes. A loader that changes the exported
// slices or Problems directly, rather than through Add, Remove or Retain (a network's
// peerings replaced in a copy, gaps noted after resources were looked up), calls it once it
// is done, so the lookups see the change.
func (inv *Inventory) Reindex() { inv.resetIndex() }
