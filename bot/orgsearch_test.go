package bot

import (
	"testing"

	"vmeste/storage"
)

func TestFilterOrgsFolds(t *testing.T) {
	all := []storage.Organisation{
		{ID: 1, Name: "МКОУ «СОШ №2» с.п. Бедык", Kind: storage.KindSchool},
		{ID: 2, Name: "МКОУ «СОШ №12» г.п. Тырныауз", Kind: storage.KindSchool},
		{ID: 3, Name: "МКДОУ «Детский сад №3 «Солнышко»", Kind: storage.KindPreschool},
		{ID: 4, Name: "Муниципальное общеобразовательное учреждение основная общеобразовательная школа с. Верхний Баксан", Kind: storage.KindSchool},
		{ID: 5, Name: "ОГИБДД МО МВД России «Эльбрусский»", ShortName: "ГИБДД", Kind: storage.KindTrafficPolice},
		{ID: 6, Name: "Средняя общеобразовательная школа № 6 с.п. Нейтрино", Kind: storage.KindOtherOrg},
		{ID: 7, Name: "МОУ Лицей №1 имени Кулиева", Kind: storage.KindSchool},
		{ID: 8, Name: "Дом культуры «Ёлочка»", Kind: storage.KindCulture},
	}
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"школа 2", []int64{1}},
		{"Школа №2", []int64{1}},
		{"сош 2", []int64{1}},
		{"СОШ№12", []int64{2}},
		{"сош 6", []int64{6}},
		{"оош", []int64{4}},
		{"школа баксан", []int64{4}},
		{"детсад 3", []int64{3}},
		{"детский сад 3", []int64{3}},
		{"д/с 3", []int64{3}},
		{"Д/С «Солнышко»", []int64{3}},
		{"доу", []int64{3}},
		{"гибдд", []int64{5}},
		{"лицей 1", []int64{7}},
		{"школа 1", []int64{7}},
		{"елочка", []int64{8}},
		{"ЁЛОЧКА", []int64{8}},
		{"школа 3", nil},
	} {
		var got []int64
		for _, o := range filterOrgs(all, tc.query) {
			got = append(got, o.ID)
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("%q: got %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestOrgOrderIsNatural(t *testing.T) {
	list := []storage.Organisation{
		{ID: 1, Name: "Краеведческий музей", Kind: storage.KindCulture},
		{ID: 2, Name: "МКОУ «СОШ №10»", Kind: storage.KindSchool},
		{ID: 3, Name: "МКДОУ «Детский сад №1»", Kind: storage.KindPreschool},
		{ID: 4, Name: "МБОУ «СОШ №2»", Kind: storage.KindSchool},
		{ID: 5, Name: "ГБУЗ «Районная больница»", Kind: storage.KindHealth},
		{ID: 6, Name: "МКОУ СОШ №1", Kind: storage.KindSchool},
	}
	sortOrgs(list)
	var got []int64
	for _, o := range list {
		got = append(got, o.ID)
	}
	want := []int64{6, 4, 2, 3, 1, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestGuessOrgKind(t *testing.T) {
	for name, want := range map[string]storage.OrgKind{
		"МКОУ «СОШ №3» с.п. Кенделен":         storage.KindSchool,
		"МКДОУ «Детский сад №7»":              storage.KindPreschool,
		"д/с «Радуга»":                        storage.KindPreschool,
		"ГБПОУ «Эльбрусский колледж»":         storage.KindCollege,
		"ДЮСШ Эльбрусского района":            storage.KindAdditional,
		"ОГИБДД МО МВД России «Эльбрусский»":  storage.KindTrafficPolice,
		"ПСЧ-7 МЧС России":                    storage.KindEmergencies,
		"ГБУЗ «Районная больница»":            storage.KindHealth,
		"Совет ветеранов Эльбрусского района": storage.KindVeterans,
		"Краеведческий музей":                 storage.KindCulture,
		"МКУ «Управление образования»":        storage.KindOtherOrg,
	} {
		if got := guessOrgKind(name); got != want {
			t.Errorf("guessOrgKind(%q) = %s, want %s", name, got, want)
		}
	}
}
