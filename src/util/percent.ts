/** A share (0..1) as a percentage, e.g. loss 0.2 -> `20%`: at most `digits`
 * decimals, trailing zeros dropped. The one formatter for loss, corruption,
 * duplication and drop shares (impairment tables, the bench report). */
export function formatPercent(share: number, digits = 4): string {
  return `${+(share * 100).toFixed(digits)}%`;
}
