// The toolbar button opens the side panel; everything else lives in the panel itself.
chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
