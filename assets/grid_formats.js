// Number cells in the grids in the page language: "1 276" and "2,5" in Swedish (no-break
// space, decimal comma), "1,276" in English. Called by the columns' valueFormatter
// (dashboard/grid.py); the grid's data stay numbers, so sorting and filtering are unchanged.
window.dashAgGridFunctions = window.dashAgGridFunctions || {};
window.dashAgGridFunctions.formatGridNumber = function (value, lang) {
    if (value === null || value === undefined || value === "") { return ""; }
    const number = Number(value);
    if (!Number.isFinite(number)) { return String(value); }
    return new Intl.NumberFormat(lang === "en" ? "en-GB" : "sv-SE", {
        maximumFractionDigits: 2,
    }).format(number);
};
